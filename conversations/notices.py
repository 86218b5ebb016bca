"""What the customer is told when a team's policy removed an identifier from their message."""

# {channel} is SENSITIVE_SECURE_CHANNEL (a link or a short description of the secure channel).
IDENTIFIER_REMOVED: dict[str, str] = {
    "en": (
        "For your security we removed the card, account or ID number from your message; we did not store it. "
        "Please never send such numbers in this chat. Use {channel} instead."
    ),
    "de": (
        "Zu Ihrer Sicherheit haben wir die Karten-, Konto- oder Ausweisnummer aus Ihrer Nachricht entfernt und "
        "nicht gespeichert. Bitte senden Sie solche Nummern nie in diesem Chat. Nutzen Sie stattdessen {channel}."
    ),
    "nl": (
        "Voor uw veiligheid hebben we het kaart-, rekening- of identiteitsnummer uit uw bericht verwijderd en niet "
        "opgeslagen. Stuur zulke nummers nooit in deze chat. Gebruik in plaats daarvan {channel}."
    ),
    "it": (
        "Per la sua sicurezza abbiamo rimosso dal messaggio il numero di carta, di conto o del documento e non "
        "l'abbiamo salvato. Non invii mai questi numeri in questa chat. Usi invece {channel}."
    ),
    "pt-br": (
        "Para sua segurança, removemos da sua mensagem o número do cartão, da conta ou do documento e não o "
        "guardamos. Nunca envie esses números neste chat. Use {channel}."
    ),
}

DEFAULT_CHANNEL: dict[str, str] = {
    "en": "the secure area of our website",
    "de": "den geschützten Kundenbereich auf unserer Website",
    "nl": "de beveiligde omgeving op onze website",
    "it": "l'area riservata del nostro sito",
    "pt-br": "a área segura do nosso site",
}


def identifier_removed(language: str, channel: str = "") -> str:
    lang = language if language in IDENTIFIER_REMOVED else "en"
    return IDENTIFIER_REMOVED[lang].format(channel=channel or DEFAULT_CHANNEL[lang])
