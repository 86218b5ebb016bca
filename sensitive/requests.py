"""The agent draft guard: warn before an agent's reply asks the customer for data that must not go over chat.

``draft_check(text)`` reads a draft (en, de, nl, it, pt) and returns one ``DraftWarning`` per request
it finds for a payment card number, its security code, a PIN, a password or one-time code, a bank
account (IBAN), a national id (CPF, BSN, Steuer-ID, codice fiscale, NIF, DNI, passport, SSN...) or
health details. The inbox shows the warning and offers ``SECURE_CHANNEL_HINT`` in the
conversation's language; the agent decides.

A request is a mention of such data (the *object*: "card number", "Kontonummer", "codice
fiscale") in a sentence that asks for it: a transfer verb ("send", "schicken", "doorgeven",
"mandare", "passar"), an interrogative ("what is", "wie lautet", "qual"), a need ("we need",
"preciso") or a question mark. Decisions:

* Telling the customer *not* to send something is not a request: a negation before the object
  ("never send your card number", "non ci invii mai", "nunca envie"), unless a later clause asks
  anew ("if you don't have the app, please send your IBAN"), a German or Dutch negation after it
  in the same clause ("teilen Sie Ihre IBAN nicht im Chat"), or a "not needed" after it ("o CPF
  já está cadastrado, não precisa enviar") clears it. Warning-free
  phrasing ("We will never ask for your PIN") is the recommended way to talk about these data.
* Asking for the last four digits is allowed (Meta's WhatsApp policy, and they identify nothing
  on their own): "last 4 digits", "letzten vier Ziffern", "4 últimos dígitos", and an IBAN or card
  "ending 1234" / "mit Endung" / "terminado em" are not warned about.
* A mention without an object is nothing: "your card was charged", "the refund goes back to the
  card you paid with". Changing or resetting a password is not asking for it.
* A health question is any question about a health condition found by the special-category
  lexicons ("Are you pregnant?", "Nehmen Sie Blutverdünner?") or an ask for symptoms, diagnosis,
  medication, medical history. "Did your medication arrive?" is therefore warned about too; the
  agent can send it anyway.
* Kinds: when two objects overlap, the longer wins: "senha do cartão" is a PIN, not a password,
  "social security number" a national id, not a CVV; on equal length the order of ``KINDS``.

Matching ignores case and accents (``special.fold``) and works sentence by sentence; offsets are
into the original draft.
"""

import re
from dataclasses import dataclass

from sensitive import special

__all__ = ["KINDS", "SECURE_CHANNEL_HINT", "DraftWarning", "draft_check", "secure_channel_hint"]

# In priority order: when two objects overlap, the earlier kind wins.
KINDS = ("cvv", "pin", "national_id", "password", "iban", "payment_card", "health")


@dataclass(frozen=True, slots=True, order=True)
class DraftWarning:
    start: int  # character offset into the draft, inclusive
    end: int  # exclusive
    kind: str  # one of KINDS


# One sentence in each language, shown to the agent and ready to send to the customer.
# "pt" is European Portuguese, "pt-br" Brazilian; consent's language codes are "en", "de", "nl",
# "it", "pt-br" (it reads "pt" as "pt-br"), so a conversation's language always finds its entry.
SECURE_CHANNEL_HINT: dict[str, str] = {
    "en": (
        "Please don't share card or bank details, passwords or ID numbers in this chat; use the secure "
        "payment link or your account on our website instead."
    ),
    "de": (
        "Bitte teilen Sie Karten- oder Kontodaten, Passwörter und Ausweisnummern nicht im Chat. Nutzen Sie "
        "stattdessen den sicheren Zahlungslink oder Ihr Kundenkonto auf unserer Website."
    ),
    "nl": (
        "Deel alstublieft geen kaart- of bankgegevens, wachtwoorden of identiteitsnummers in deze chat. "
        "Gebruik in plaats daarvan de beveiligde betaallink of uw account op onze website."
    ),
    "it": (
        "La preghiamo di non condividere in chat dati della carta o del conto, password o numeri di "
        "documenti: usi il link di pagamento sicuro o il suo account sul nostro sito."
    ),
    "pt-br": (
        "Por favor, não compartilhe dados do cartão ou da conta, senhas ou números de documentos neste "
        "chat. Use o link de pagamento seguro ou a sua conta no nosso site."
    ),
    "pt": (
        "Por favor, não partilhe dados do cartão ou da conta, palavras-passe ou números de documentos "
        "nesta conversa. Utilize a ligação de pagamento segura ou a sua conta no nosso site."
    ),
}


def secure_channel_hint(language: str | None) -> str:
    """The hint for a language code ("pt-BR", "de-AT", "nl"), falling back to its base language, then English."""
    code = (language or "").lower()
    return SECURE_CHANNEL_HINT.get(code) or SECURE_CHANNEL_HINT.get(code.split("-")[0]) or SECURE_CHANNEL_HINT["en"]


# --- Patterns, on folded text (lower case, accents dropped, umlauts kept) ----------------------

_U = "(?:ü|ue|u)"

_OBJECTS: dict[str, tuple[str, ...]] = {
    "cvv": (
        r"cvv2?|cvc2?|cv2|csc",
        r"(?:card )?security code|card security number|(?:3|three)[ -]digit (?:code|number)",
        r"(?:3|three) digits on the back",
        rf"pr{_U}fziffer|kartenpr{_U}fnummer|sicherheitscode|sicherheitsnummer",
        r"beveiligingscode|controlecode|cvc-code|cvv-code",
        r"codice (?:di sicurezza|cvv|cvc)|codice a tre cifre",
        r"codigo (?:de seguranca|cvv|cvc|verificador)|codigo de (?:3|tres) digitos",
    ),
    "pin": (
        r"pin(?:[ -]?(?:code|number|nummer|nr))?|pincode",
        r"senha (?:do|de|da) (?:cartao|banco|multibanco)",
        r"codice pin|pin (?:del|della) (?:bancomat|carta)",
    ),
    "national_id": (
        r"social security (?:number|no)|ssn|national insurance (?:number|no)|ni number|national id(?: number)?",
        r"passport(?: number| no| details)?|(?:id|identity) card|id number|driving licen[cs]e(?: number)?|"
        r"driver'?s licen[cs]e|tax (?:id|identification number|number)",
        r"(?:photo|copy|scan|picture|pic) of (?:your|the) id",
        r"steuer[ -]?id|steuer[ -]?identifikationsnummer|steueridentifikationsnummer|steuernummer|"
        r"sozialversicherungsnummer|personalausweis(?:es|nummer)?|ausweis(?:es|nummer|nummern|daten)?|"
        r"reisepass(?:es|nummer)?",
        r"bsn|burgerservicenummer|sofinummer|paspoort(?:nummer)?|id[ -]kaart|identiteitskaart|"
        r"identiteitsbewijs|rijbewijs(?:nummer)?",
        r"codice fiscale|tessera sanitaria|carta d'?identita|carta di identita|passaporto|"
        r"documento (?:d'?identita|di identita)|numero (?:del|di) documento|patente",
        r"cpf|rg|cnh|nif|numero de contribuinte|contribuinte|cartao de cidadao|passaporte|"
        r"documento de identidade|(?:numero|foto|copia) do (?:seu )?documento|dni|(?:numero|number) (?:de |del )?nie",
    ),
    "password": (
        r"password|passwords|passcode|login details|log-in details|credentials|"
        r"one[ -]time (?:code|password)|otp|verification code|sms code|"
        r"code (?:we|i) (?:just )?(?:sent|texted|emailed)(?: you)?",
        r"passw(?:ort|örter|oerter)|kennw(?:ort|örter)|zugangsdaten|anmeldedaten|bestätigungscode|bestaetigungscode|"
        r"einmalcode|sms-code|code (?:aus|in) der sms",
        r"wachtwoord(?:en)?|inloggegevens|verificatiecode|code (?:uit|in) de sms",
        r"credenziali|codice (?:di verifica|otp|di accesso)|codice (?:ricevuto |arrivato )?(?:via|per) sms",
        r"senha|dados de acesso|codigo (?:de verificacao|de acesso|sms|otp)|palavra[ -]passe|"
        r"codigo (?:que (?:chegou|recebeu|enviamos)|enviado|recebido) (?:por|via|no) sms",
    ),
    "iban": (
        r"iban|bank account(?: number| details| no)?|bank details|(?:account number|account no) and sort code|"
        r"sort code|routing number",
        r"kontonummer(?:n)?|bankverbindung(?:en)?|bankdaten|kontodaten|blz|bankleitzahl",
        r"rekeningnummer|rekeningnummers|bankrekening(?:nummer)?|bankgegevens",
        r"conto corrente|coordinate bancarie|estremi (?:del conto|bancari)|numero di conto",
        r"nib|dados bancarios|conta (?:bancaria|corrente)|agencia e (?:a )?conta|numero da conta",
    ),
    "payment_card": (
        r"(?:full |complete |whole |long )?(?:credit |debit |bank )?card(?: number| no\.?| num| details| digits|"
        r" info| information|number)|cardnumber",
        r"(?:16|sixteen)[ -]digit|(?:16|sixteen) digits|long number on (?:the front of )?(?:your|the) card",
        r"(?:numbers|digits) (?:on|of) (?:the front of )?(?:your|the) card|expiry date|expiration date",
        r"(?:kredit|debit|bank|ec-?)?karten[ -]?nummer(?:n)?|kreditkartendaten|"
        r"karten-? ?(?:oder |und )?(?:konto)?daten|ablaufdatum|"
        r"(?:ziffern|nummer) (?:auf|ihrer|deiner|von ihrer|von deiner) (?:kredit)?karte",
        r"(?:credit)?card[ -]?nummer|kaartnummer|kaartgegevens|creditcardgegevens|vervaldatum|pasnummer|"
        r"cijfers (?:op|van) (?:uw|je|de) (?:kaart|pas)",
        r"numer[oi] (?:completo |intero )?(?:della|di|sulla) (?:sua |tua )?carta|dati della carta|"
        r"cifre (?:della|sulla) carta|scadenza della carta",
        r"numer(?:o|os) (?:completo |inteiro )?(?:do|dos) (?:seu |teu )?cart(?:ao|oes)|dados do (?:seu )?cartao|"
        r"validade do cartao|"
        r"data de validade|digitos do cartao",
    ),
    "health": (
        r"medications?|meds|medicines?|symptoms?|diagnosis|medical (?:condition|history|records?|details|information)|"
        r"health (?:condition|issues?|problems?|details|information)|illness|disability|prescriptions?",
        r"medikamente?n?|symptome|diagnose|vorerkrankung(?:en)?|gesundheitszustand|krankheit|erkrankung|"
        r"arztbericht|attest",
        r"medicijnen|medicatie|symptomen|diagnose|ziekte|aandoening|medische (?:gegevens|situatie|verklaring)|"
        r"doktersverklaring",
        r"farmaci|medicinali|sintomi|diagnosi|malattia|patologi[ae]|condizioni di salute|certificato medico|"
        r"cartella clinica",
        r"remedios?|medicamentos?|sintomas|diagnostico|doenca|condicao de saude|laudo(?: medico)?|"
        r"atestado medico|historico medico",
    ),
}

# Asking: a transfer verb, an interrogative, a need, a polite "please". Matched outside the object.
_REQUEST = re.compile(
    r"\b(?:"
    r"send|share|provide|give|tell|type|enter|write|confirm|forward|reply|respond|drop|paste|upload|"
    r"attach|describe|list|need|needs|require|requires|required|what(?:'s| is| are| was| were)?|which|"
    r"may i have|can i have|can i get|let me know|please|pls|plz|kindly|"
    rf"schick\w*|send\w*|nenn\w*|mitteil\w*|teilen|teilt|teile|geben|gib|gebe|sagen|sag|sage|eingeben|"
    rf"tippen|angeben|{_U}bermitteln|brauch\w*|ben(?:ö|oe|o)tig\w*|wie lautet|welche[rsmn]?|was ist|bitte|"
    r"zukommen|"
    r"stuur|sturen|stuurt|doorgeven|doorsturen|geef|geven|geeft|vertel|vertellen|delen|deel|invullen|typen|"
    r"intypen|nodig|wat is|welke|mag ik|graag|alstublieft|aub|svp|"
    r"manda\w*|mandi|invi\w*|scriv\w*|dica|dire|dimmi|comunic\w*|fornisc\w*|fornire|indic\w*|mi da|"
    r"mi dia|serve|servirebbe|occorre|qual|quale|quali|per favore|per cortesia|"
    r"mande|mandar|manda|envi\w*|passa|passar|passe|passem|inform\w*|diga|digite|digitar|digita|fala|"
    r"falar|fale|indique|indicar|fornec\w*|precis\w*|quais|por favor|confirm\w*"
    r")\b"
)
_QUESTION = re.compile(r"\?\s*$")
_NEGATION = re.compile(
    r"\b(?:never|don't|dont|do not|does not|doesn't|not|niemals|nie|nicht|kein|keine|keinen|keinesfalls|"
    r"nooit|niet|geen|non|mai|nunca|nao|jamais|nem)\b"
)
# After the object, only a "not needed" or a "never" reverses the request.
_NOT_NEEDED = re.compile(
    r"\b(?:never|no need|(?:is|are) not (?:needed|necessary|required)|not needed|not necessary|"
    r"nie|niemals|nicht (?:nötig|noetig|notwendig|erforderlich)|nooit|niet (?:nodig|noodzakelijk)|"
    r"mai|non (?:serve|occorre|e necessario)|nunca|nao (?:precisa|e necessario|ha necessidade))\b"
)
_AFTER_WINDOW = 60  # characters after the object where "not needed" counts
# The last four digits, or an account "ending 1234", identify nothing: allowed.
_PARTIAL_BEFORE = re.compile(
    r"\b(?:last|final) (?:4|four)\b|\bletzten (?:4|vier)\b|\blaatste (?:4|vier)\b|\bultim[ei] (?:4|quattro)\b|"
    r"\b(?:4|quatro) (?:ultimos|digitos finais)\b|\bultimos (?:4|quatro)\b"
)
_PARTIAL_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:ending|ends|endend|endet|mit endung|eindigend|eindigt|che termina|terminante|"
    r"terminat[oa]|termina|finale|final|com final)\b"
)
# Changing or resetting a password is not handing it over.
_NOT_A_HANDOVER = re.compile(
    r"\b(?:password|passwort|kennwort|wachtwoord|senha|pin)\b\W+(?:\w+\W+){0,4}?"
    r"(?:reset|change|changed|update|andern|ändern|aendern|zurucksetzen|zurücksetzen|wijzigen|resetten|"
    r"reimposta\w*|cambia\w*|modifica\w*|redefin\w*|alterar|altere|trocar|troque|recuperar)\b"
    r"|\b(?:reset|change|update|andern|ändern|aendern|zurucksetzen|zurücksetzen|wijzig|cambia|modifica|"
    r"redefina|altere|troque|recupere)\b\W+(?:\w+\W+){0,3}?"
    r"(?:password|passwort|wachtwoord|senha|pin)\b"
    r"|\bpassword reset\b"
)
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
_CLAUSE_BREAK = re.compile(r"[,;:]|\s[-–]\s")
_OBJECT = {kind: re.compile(r"\b(?:" + "|".join(parts) + r")(?!\w)") for kind, parts in _OBJECTS.items()}
_SECOND_PERSON = re.compile(
    r"\b(?:you|your|sie|ihr|ihre|ihren|du|dein|deine|u|uw|je|jij|jouw|lei|sua|suo|tu|tuo|tua|ha|hai|voce|vc|"
    r"seu|sua|tem|esta)\b"
)


def draft_check(text: str) -> list[DraftWarning]:
    """Warnings for each request for card, account, id, credential or health data in an agent's draft."""
    if not text:
        return []
    folded = special.fold(text)
    warnings: list[DraftWarning] = []
    for sentence in _SENTENCE.finditer(folded):
        warnings.extend(_sentence_warnings(folded, sentence.start(), sentence.end()))
    return sorted(warnings)


def _sentence_warnings(folded: str, start: int, end: int) -> list[DraftWarning]:
    sentence = folded[start:end]
    objects = _objects(sentence)
    if _QUESTION.search(sentence) and _SECOND_PERSON.search(sentence):
        # A question about a condition: "Are you pregnant?", "Nehmen Sie Blutverdünner?"
        objects += [(f.start, f.end, "health") for f in special.find(sentence) if f.type == "health"]
    if not objects:
        return []
    objects = _narrowest(objects)
    asked = _QUESTION.search(sentence) is not None
    handover_excluded = [m.span() for m in _NOT_A_HANDOVER.finditer(sentence)]
    warnings = []
    for object_start, object_end, kind in objects:
        if any(a < object_end and object_start < b for a, b in handover_excluded):
            continue
        before = sentence[_clause_start(sentence, object_start) : object_start]
        after = sentence[object_end : object_end + _AFTER_WINDOW]
        if _negated(sentence[:object_start]) or _NOT_NEEDED.search(after):
            continue
        if _negated_after(sentence, object_end, objects):
            continue
        if kind in ("payment_card", "iban", "national_id") and (
            _PARTIAL_BEFORE.search(before) or _PARTIAL_AFTER.search(after)
        ):
            continue
        requested = asked or any(not (object_start <= cue.start() < object_end) for cue in _REQUEST.finditer(sentence))
        if requested:
            warnings.append(DraftWarning(start=start + object_start, end=start + object_end, kind=kind))
    return warnings


def _objects(sentence: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), kind) for kind, pattern in _OBJECT.items() for m in pattern.finditer(sentence)]


def _narrowest(objects: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping objects resolve to the longer span ("social security number" over "security
    number"), then to the kind that comes first in KINDS."""
    ranked = sorted(objects, key=lambda item: (item[0] - item[1], KINDS.index(item[2])))
    kept: list[tuple[int, int, str]] = []
    for candidate in ranked:
        if not any(candidate[0] < other[1] and other[0] < candidate[1] for other in kept):
            kept.append(candidate)
    return kept


def _negated(before: str) -> bool:
    """A negation before the object, unless a later clause asks anew ("If you don't have the app,
    please send your IBAN"); a list goes on negated ("don't share card details, passwords or ...")."""
    negations = list(_NEGATION.finditer(before))
    if not negations:
        return False
    later_clauses = _CLAUSE_BREAK.split(before[negations[-1].end() :])[1:]
    return not any(_REQUEST.search(clause) for clause in later_clauses)


# German and Dutch put the negation after the object: "teilen Sie Ihre IBAN nicht", "stuur uw pincode niet".
_TRAILING_NEGATION = re.compile(r"\b(?:nicht|niet|niemals|nie|nooit|keinesfalls|never)\b")


def _negated_after(sentence: str, object_end: int, objects: list[tuple[int, int, str]]) -> bool:
    """A trailing negation later in the clause, which runs on through a list ("Kontodaten, Passwörter
    und Ausweisnummern nicht im Chat") until a clause asks anew, unless the negation goes with a
    later object ("und nicht die Kartennummer")."""
    clause_end = len(sentence)
    for clause_break in _CLAUSE_BREAK.finditer(sentence, object_end):
        next_break = _CLAUSE_BREAK.search(sentence, clause_break.end())
        if _REQUEST.search(sentence, clause_break.end(), next_break.start() if next_break else len(sentence)):
            clause_end = clause_break.start()
            break
    negation = _TRAILING_NEGATION.search(sentence, object_end, clause_end)
    if negation is None:
        return False
    return not any(negation.end() <= start < clause_end for start, _, _ in objects)


def _clause_start(sentence: str, position: int) -> int:
    breaks = [match.end() for match in _CLAUSE_BREAK.finditer(sentence, 0, position)]
    return breaks[-1] if breaks else 0
