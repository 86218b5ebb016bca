"""English: how customers ask for their data-protection rights (the pattern language: ``templating``)."""

from consent.request_phrases.templating import Lexicon
from consent.rights import Right

LEXICON = Lexicon(
    slots={
        # The only words allowed between an action and its object ({gap}: up to four of them).
        "filler": (
            r"please|pls|plz|plse|pleas|kindly|all|also|just|now|immediately|asap|completely|permanently|entirely|"
            r"fully|the|of|any|every|for me|right now|once and for all|for good|finally|still"
        ),
        # Adjectives that keep "my ... data" the customer's personal data ("my stored data", not "my order data").
        "adj": r"personal|private|stored|saved|own|customer|user|collected",
        # After "my data": mobile data, not personal data ("my data plan", "my data roaming").
        "other_data": (
            r"plan|plans|usage|roaming|limit|limits|allowance|package|bundle|balance|connection|speed|cap|pack|sim|"
            r"top up|topup|left|volume|add on|addon|pass|rate|rates|charges|bill|overage|network|signal"
        ),
        # After an object: it is about an order, a booking, a card, not the customer ("my details for the booking").
        "business": (
            r"(?:of|for|on|from|in|about|regarding) (?:my|the|this|that|an?|your|our) (?:\w+ )?(?:order|orders|"
            r"booking|appointment|delivery|invoice|bill|reservation|purchase|ticket|contract|payment|parcel|"
            r"package|shipment|card|subscription|return|refund|claim)"
        ),
        # The customer's personal data: the object of every right but withdrawal.
        "data": (
            r"(?:all (?:of )?)?(?:my|mine) (?:(?:{adj}) )?(?:data|information|info|details|records|pii)"
            r"(?! (?:{other_data})(?!\w))(?! {business})"
            r"|(?:any |all |the )?(?:personal|private) (?:data|information|info|details)(?! {business})"
            r"|(?:any |all |the )?(?:data|information|info|details|records|pii) (?:(?:that|which) )?"
            r"(?:you|u|your company|you guys|y all|ya ll|your team) (?:(?:still|currently|actually) )?"
            r"(?:have|hold|keep|kept|store|stored|process|processed|collect|collected|save|saved|got)"
            r"(?: (?:stored|saved|collected|on file|on record|got))? (?:on|about|of|for|from|regarding|concerning) me"
            r"|everything (?:that )?(?:you|u|your company) (?:have|hold|store|keep|got)(?: (?:stored|saved|on file))?"
            r" (?:on|about|of|from) me"
        ),
        # Deleting the account is erasure (see consent.request_intents); accessing it is not access.
        "account": (
            r"(?:my|mine) (?:(?:customer|user|online|personal|whole|entire) )?(?:account|profile)"
            r"(?! (?:picture|photo|pic|image|name|password|settings|number|balance|statement|page|details))"
        ),
        # What a correction corrects.
        "field": (
            r"my (?:(?:first|last|full|family|middle|maiden|legal) )?(?:name|surname)(?! {business})"
            r"|my (?:(?:home|postal|billing|mailing|street|registered|e ?mail) )?(?:address|e ?mail)(?! {business})"
            r"|my (?:(?:phone|mobile|cell|telephone|contact) )?(?:number|phone number)(?! {business})"
            r"|my (?:date of birth|birth ?date|birthday|dob|gender|title|salutation)"
            r"|{data}"
        ),
        "consent": r"(?:my |the |all |any )?(?:(?:marketing|data|privacy) )?consents?",
        # Imperative and infinitive only: "deleted" is something that happened, not a request.
        "erase": r"delete|delet|delte|deleat|erase|remove|wipe|purge|destroy|get rid of|scrub",
        "marketing": (
            r"marketing|advertising|advertisement|advertisements|ads|adverts|promotions?|promotional \w+|profiling|"
            r"newsletters?|commercial purposes|targeted \w+|personali[sz]ed \w+"
        ),
        "wrong": (
            r"wrong|incorrect|misspelled|misspelt|mistyped|inaccurate|outdated|out of date|not correct|not right|"
            r"(?:spelled|spelt|written|typed) (?:wrong|wrongly|incorrectly)"
        ),
        "machine": (
            r"machine ?readable|structured|portable|csv|json|xml|excel|spreadsheet|digital|electronic|"
            r"commonly used"
        ),
    },
    rights={
        Right.ERASURE: (
            r"(?:please|pls|plz|kindly|want you to|like you to) forget (?:everything about )?me",
            r"(?:{erase}) {gap}(?:{data}|{account})",
            r"(?:{erase}) {gap}(?:me|my \w+(?: \w+)?) (?:from|out of) (?:your|the) (?:system|systems|database|"
            r"databases|records|files|crm|servers?|register)",
            r"(?:want|like|need|please|have|get|request) {gap}(?:{data}|{account}) (?:(?:to be|be|to get|get) )?"
            r"(?:deleted|erased|removed|wiped|destroyed|purged)",
            r"(?:can|could|would|should) (?:{data}|{account}) (?:please )?(?:be|get) (?:deleted|erased|removed|wiped)",
            r"(?:deletion|erasure|removal|destruction) (?:request )?(?:of|for) {gap}(?:{data}|{account})",
            r"right (?:to|of) (?:be forgotten|erasure|deletion|be deleted)",
            r"(?:data|account|profile) (?:deletion|erasure|removal)(?: request)?|(?:deletion|erasure) request",
        ),
        Right.ACCESS: (
            r"(?:copy|copies|overview|summary|list|report|printout|record) (?:of )?{gap}(?:{data})",
            # "send me my details" is more often a login or a booking than their data.
            r"(?:send|give|provide|e ?mail|mail|show|forward|disclose) (?:me|us)(?: with)? {gap}(?!(?:all )?my details)"
            r"(?:{data})",
            r"(?:what|which) (?:(?:personal|private|kind of|kinds of|type of|types of|sort of) )?(?:data|information|"
            r"info|details) (?:(?:do|does|did) )?(?:you|u|your company|you guys|y all) (?:(?:still|currently|"
            r"actually) )?(?:have|hold|keep|kept|store|stored|process|processed|collect|collected|save|saved|got)"
            r"(?: (?:stored|saved|collected|on file|on record|got))? (?:on|about|of|from|regarding|concerning) me",
            r"what (?:do|does) (?:you|u|your company) (?:have|hold|keep|store)(?: (?:stored|on file|on record))?"
            r" (?:on|about) me",
            r"do (?:you|u) (?:(?:still) )?(?:have|hold|store|keep|process) (?:any )?(?:(?:personal) )?(?:data|"
            r"information|info) (?:on|about) me",
            r"(?:request|want|like|need|get|obtain|exercise|give me|grant me)(?: (?:to|to have|to get|to obtain|"
            r"to request|full|complete))? access to {gap}(?:{data})",
            r"download {gap}(?:{data})",
            r"(?:data )?subject access request|data access request|dsar|right of access|"
            r"right to access {gap}(?:{data})",
        ),
        Right.PORTABILITY: (
            r"(?:(?:copy|export|version|download|file) (?:of )?)?(?:{data}) {gap}"
            r"(?:(?:exported|sent|provided|delivered|downloadable) )?(?:in|as) (?:an? )?(?:{machine})",
            r"(?:transfer|move|port|send|transmit|migrate|give|forward) {gap}(?:{data}) (?:over )?(?:to|into) "
            r"(?:an |a |the |my )?(?:other|another|new|different) (?:provider|company|controller|service|supplier|"
            r"operator|platform|bank|insurer|insurance|vendor|business)",
            r"export {gap}(?:{data}|{account})|export of {gap}(?:{data})",
            r"data portability|right (?:to|of) (?:data )?portability|portability of {gap}(?:{data})",
        ),
        Right.RECTIFICATION: (
            r"(?:correct|rectify|amend) {gap}(?:{field})",
            # "fix my number / my e-mail / my data" is as likely a phone, a mailbox or mobile data that stopped working.
            r"(?:fix|repair) {gap}(?:my (?:(?:first|last|full|family|middle) )?(?:name|surname)|my (?:date of birth|"
            r"birthday|birth ?date)|(?:my )?(?:personal data|personal details)|the spelling of my name)",
            r"(?:{field}) (?:is|are|was|were|has been|have been|s) {gap}(?:{wrong})",
            r"(?:{field}) (?:isn ?t|aren ?t|wasn ?t) {gap}(?:correct|right|accurate|up to date|"
            r"spelled (?:right|correctly))",
            r"(?:rectification|correction) (?:of|to) {gap}(?:{field})",
            r"right (?:to|of) (?:rectification|correction)|rectification request",
        ),
        Right.RESTRICTION: (
            r"(?:restrict|limit) (?:the |all |any |further )?processing(?: of {gap}(?:{data})|(?! (?:of|for|on) ))",
            r"(?:restrict|limit|block|freeze|suspend|pause) (?:the |all |any |further )?(?:use|usage) of {gap}"
            r"(?:{data})",
            r"restriction of (?:the )?processing|right (?:to|of) restriction|restricted processing",
        ),
        Right.OBJECTION: (
            r"opt ?out (?:of|from) (?:the |all |any )?(?:(?:data|personal data) )?(?:processing|profiling|sharing)",
            r"(?:i |we )?object(?:ing)? to (?:the |any |all |further |you |your )?(?:continued )?(?:processing|"
            r"use|using|usage|profiling|sharing|storage|storing|direct marketing)",
            r"(?:stop|quit|cease) (?:using|processing|sharing|selling|storing|tracking) {gap}(?:{data})",
            r"(?:don ?t|do not|never|no longer) (?:use|process|share|sell) {gap}(?:{data}) (?:for|in|to) "
            r"(?:{marketing})",
            r"(?:don ?t|do not) sell {gap}(?:{data})",
            r"(?:don ?t|do not|no longer) want {gap}(?:{data}) (?:(?:to be|being) )?(?:used|processed|shared|sold)",
            r"objection to (?:the )?(?:processing|use|profiling|direct marketing)|right to object",
        ),
        Right.WITHDRAWAL: (
            r"(?:withdraw|withdrawing|revoke|revoking|retract|retracting|cancel|take back|rescind|remove) {gap}"
            r"(?:{consent})",
            r"(?:{consent}) (?:is )?hereby (?:withdrawn|revoked|retracted|cancelled|canceled)",
            r"(?:want|like|need) {gap}(?:{consent}) (?:to be )?(?:withdrawn|revoked|cancelled|canceled|removed)",
            r"(?:withdrawal|revocation) of {gap}(?:{consent})|consent withdrawal",
            r"i (?:no longer|don ?t|do not) (?:want to )?(?:give (?:you )?(?:my )?)?consent(?: (?:anymore|any more|"
            r"any longer))?(?! form)",
        ),
    },
    right_nouns={
        Right.ACCESS: r"access|copy|sar|dsar|disclosure",
        Right.ERASURE: r"erasure|deletion|removal",
        Right.RECTIFICATION: r"rectification|correction",
        Right.RESTRICTION: r"restriction",
        Right.PORTABILITY: r"portability|export",
        Right.OBJECTION: r"objection",
        Right.WITHDRAWAL: r"withdrawal|revocation",
    },
    generic=(
        r"(?:{law}) (?:(?:data|subject|privacy) )?requests?|requests? (?:(?:\w+ ){0,2})?(?:under|according to|"
        r"per|pursuant to|based on) (?:the )?(?:{law})",
        r"data subject (?:rights )?request|privacy request|data protection request",
        r"exercise (?:my|our) (?:(?:{law}|data protection|privacy|data subject|legal) )?rights",
    ),
    negation=r"not|no|never|don ?t|dont|doesn ?t|didn ?t|won ?t|wouldn ?t|can ?t|cannot|shouldn ?t",
    hypothetical=(
        r"if|whether|did|didn ?t|do (?:you|u)|does|how (?:do|does|will|would|long) (?:you|u|they|your)|"
        r"when (?:i|we|you|u|they)|what happens|will (?:you|u|they)"
    ),
    polite=r"please|pls|plz|kindly|could|would|can you|can u",
)
