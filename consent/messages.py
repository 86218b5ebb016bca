"""Texts the consent services send to subjects, in the five languages we serve.

Kept as data beside the services that use them: they go out over WhatsApp or
e-mail to the customer, so they must exist in every language or not at all
(a test checks every template has every language).
"""

from consent.jurisdictions import LANGUAGES

CONFIRMATION_REQUEST = {
    "en": (
        'Please confirm that you want to receive "{purpose}". Reply YES to confirm. '
        "You can withdraw at any time by replying STOP. Privacy notice: {notice}"
    ),
    "de": (
        'Bitte bestätigen Sie, dass Sie "{purpose}" erhalten möchten. Antworten Sie JA zur Bestätigung. '
        "Sie können jederzeit mit STOPP widerrufen. Datenschutzhinweis: {notice}"
    ),
    "nl": (
        'Bevestig dat u "{purpose}" wilt ontvangen. Antwoord JA om te bevestigen. '
        "U kunt altijd intrekken door STOP te antwoorden. Privacyverklaring: {notice}"
    ),
    "it": (
        'Conferma di voler ricevere "{purpose}". Rispondi SI per confermare. '
        "Puoi revocare in qualsiasi momento rispondendo STOP. Informativa privacy: {notice}"
    ),
    "pt-br": (
        'Confirme que deseja receber "{purpose}". Responda SIM para confirmar. '
        "Você pode revogar a qualquer momento respondendo PARAR. Aviso de privacidade: {notice}"
    ),
}

WITHDRAWAL_CONFIRMED = {
    "en": 'You will no longer receive "{purpose}". Reply START to subscribe again.',
    "de": 'Sie erhalten "{purpose}" nicht mehr. Antworten Sie START, um sich erneut anzumelden.',
    "nl": 'U ontvangt "{purpose}" niet meer. Antwoord AANMELDEN om u opnieuw aan te melden.',
    "it": 'Non riceverai più "{purpose}". Rispondi ISCRIVIMI per iscriverti di nuovo.',
    "pt-br": 'Você não receberá mais "{purpose}". Responda INICIAR para se inscrever novamente.',
}

GRANT_CONFIRMED = {
    "en": 'Thank you: you are subscribed to "{purpose}". Reply STOP at any time to withdraw.',
    "de": 'Danke: Sie haben "{purpose}" abonniert. Mit STOPP können Sie jederzeit widerrufen.',
    "nl": 'Bedankt: u bent aangemeld voor "{purpose}". Antwoord STOP om op elk moment in te trekken.',
    "it": 'Grazie: sei iscritto a "{purpose}". Rispondi STOP in qualsiasi momento per revocare.',
    "pt-br": 'Obrigado: você está inscrito em "{purpose}". Responda PARAR a qualquer momento para revogar.',
}

TEMPLATES = {
    "confirmation_request": CONFIRMATION_REQUEST,
    "withdrawal_confirmed": WITHDRAWAL_CONFIRMED,
    "grant_confirmed": GRANT_CONFIRMED,
}


def render(template: dict[str, str], language: str, **values: str) -> str:
    text = template.get(language) if language in LANGUAGES else None
    return (text or template["en"]).format(**values)
