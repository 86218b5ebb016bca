"""German: how customers ask for their data-protection rights (the pattern language: ``templating``)."""

from consent.request_phrases.templating import Lexicon
from consent.rights import Right

LEXICON = Lexicon(
    slots={
        "filler": (
            r"bitte|sie|ihr|du|alle|aller|all|sämtliche|umgehend|sofort|unverzüglich|endgültig|vollständig|komplett|"
            r"restlos|auch|doch|mal|ganz|einfach|jetzt|schnellstmöglich|hiermit|gerne|gern|nun|bei ihnen|bei euch|"
            r"schnell|dringend|ich|wir"
        ),
        "adj": (
            r"persönlichen|personenbezogenen|gespeicherten|privaten|gesamten|sämtlichen|eigenen|kompletten|ganzen|"
            r"vollständigen|persönliche|personenbezogene|gespeicherte|erfassten|hinterlegten"
        ),
        "business": (
            r"(?:des|der|vom|von der|von dem|zum|zur|zu der|zu dem|für den|für die|für das|im|in der|aus der|bei der|"
            r"auf der|auf dem) (?:\w+ )?(?:termins?|termin|bestellung|lieferung|rechnung|auftrags?|vertrags?|buchung|"
            r"reservierung|sendung|pakets?|zahlung|karte|kreditkarte|retoure|reklamation|abos?)"
        ),
        "data": (
            r"(?:alle |sämtliche )?(?:meine|meinen|meiner|meines|unsere|unserer) (?:(?:{adj}) )?(?:daten|personendaten|"
            r"kundendaten|nutzerdaten|informationen|angaben|datensätze|datensatz)(?! {business})"
            r"|personenbezogenen? daten(?! {business})"
            r"|(?:alle |die |der |sämtliche |sämtlicher |aller )?(?:über mich|zu mir|von mir|zu meiner person) "
            r"(?:gespeicherten|erfassten|verarbeiteten) (?:daten|informationen|angaben)"
            r"|(?:alle |die |der |aller )?(?:daten|informationen|angaben),? die (?:sie|ihr) (?:(?:alle|noch|so) )?"
            r"(?:über mich|von mir|zu mir|zu meiner person) (?:gespeichert haben|haben|speichern|gespeichert|"
            r"verarbeiten|besitzen)"
            r"|alles,? was (?:sie|ihr) (?:über mich|von mir) (?:gespeichert haben|haben|wissen|speichern|gespeichert)"
            r"|(?:alle|die|sämtliche) (?:(?:{adj}) )?(?:daten|informationen|angaben) (?:über mich|zu mir|von mir|"
            r"zu meiner person)(?! {business})"
        ),
        "account": (
            r"(?:mein|meinen|meines) (?:(?:kunden|nutzer|benutzer|online) ?)?(?:konto|kontos|account|accounts|profil|"
            r"profils)(?! {business})"
        ),
        "field": (
            r"(?:mein|meinen|meines) (?:(?:vor|nach|familien) ?)?name(?:n|ns)?"
            r"|(?:meine|meiner) (?:e ?mail(?: ?adresse)?|mailadresse|emailadresse|adresse|anschrift|telefonnummer|"
            r"handynummer|mobilnummer|rufnummer|nummer|anrede)(?! {business})"
            r"|(?:mein|meines) (?:geburtsdatum|geburtsdatums|geburtstag|geschlecht)"
            r"|{data}"
        ),
        "consent": (
            r"(?:meine |die |meiner |der |jede |jegliche |alle )?(?:(?:werbe|marketing|datenschutz) ?)?(?:einwilligung|"
            r"einwilligungen|zustimmung|einverständniserklärung|einverständnis|einwilligungserklärung)"
        ),
        "erase": r"lösch(?:en|e|t)|entfern(?:en|e|t)|vernicht(?:en|e|et)",
        "erase_last": r"löschen|entfernen|vernichten|löschen lassen|zu löschen|zu entfernen|zu vernichten",
        "marketing": (
            r"werbung|werbezwecke|werbezwecken|marketing|marketingzwecke|marketingzwecken|werbliche zwecke|"
            r"werblichen zwecken|newsletter|profiling|profilbildung"
        ),
        "wrong": (
            r"falsch(?: (?:geschrieben|hinterlegt|gespeichert|eingetragen|erfasst|angegeben))?|fehlerhaft|inkorrekt|"
            r"nicht (?:korrekt|richtig|mehr aktuell|aktuell)|veraltet|unrichtig|unvollständig"
        ),
        "machine": (
            r"(?:maschinenlesbar|strukturiert|gängig|elektronisch|digital)\w* (?:format|form|datei|weise)|csv|json|xml|"
            r"excel"
        ),
        "provider": (
            r"anbieter|dienstleister|verantwortlichen|versicherer|unternehmen|bank|provider|energieversorger|"
            r"stromanbieter|dienst|firma"
        ),
    },
    rights={
        Right.ERASURE: (
            r"alles (?:{erase_last}),? was (?:sie|ihr) (?:über mich|von mir) (?:gespeichert haben|haben|speichern|"
            r"gespeichert)",
            r"(?:{erase}) {gap}(?:{data}|{account})",
            r"(?:{data}|{account}) {gap}(?:{erase_last})",
            r"(?:{data}|{account}) {gap}(?:gelöscht|entfernt|vernichtet) (?:werden|haben|wissen|lassen)",
            r"(?:{erase}) {gap}mich (?:aus|von) (?:ihrer|ihrem|eurer|eurem|der|dem) (?:datenbank|kartei|kundendatei|"
            r"kundendatenbank|system|systemen|datenbestand|kundenkartei|crm)",
            r"löschung {gap}(?:{data}|{account})",
            r"recht auf (?:löschung|vergessenwerden|vergessen werden|vergessen)",
            r"löschantrag|löschungsantrag|löschanfrage|löschbegehren|löschersuchen|löschungsersuchen|datenlöschung|"
            r"kontolöschung|accountlöschung",
        ),
        Right.ACCESS: (
            r"auskunft {gap}(?:über|zu|bezüglich|hinsichtlich) (?:{data})",
            r"(?:kopie|abschrift|übersicht|aufstellung|auflistung) {gap}(?:{data})",
            r"einsicht (?:in|auf) {gap}(?:{data})",
            r"welche (?:(?:{adj}) )?(?:daten|informationen|angaben) (?:haben|speichern|verarbeiten|besitzen|führen|"
            r"nutzen) (?:sie|ihr) (?:(?:alles|noch|so|eigentlich|denn) )?(?:über mich|von mir|zu mir|zu meiner person)",
            r"welche (?:(?:{adj}) )?(?:daten|informationen|angaben) (?:(?:sie|ihr) )?(?:(?:alles|noch|so|eigentlich) )?"
            r"(?:über mich|von mir|zu mir|zu meiner person) (?:gespeichert|haben|speichern|verarbeiten|besitzen|"
            r"vorliegen|vorhanden)",
            r"was (?:haben|speichern) (?:sie|ihr) (?:(?:alles|noch|so|eigentlich) )?(?:über mich|von mir) gespeichert",
            r"(?:schicken|senden|übermitteln|mailen|zeigen|nennen|geben) (?:sie |ihr )?mir {gap}(?:{data})",
            r"mir {gap}(?:{data}) (?:zu)?(?:schicken|senden|zusenden|zuschicken|übermitteln|zukommen lassen|mailen)",
            r"auskunftsersuchen|auskunftsanfrage|auskunftsantrag|auskunftsbegehren|datenauskunft|recht auf auskunft|"
            r"auskunftsrecht|datenschutzauskunft",
        ),
        Right.PORTABILITY: (
            r"(?:recht auf )?datenübertragbarkeit|recht auf übertragbarkeit|datenportabilität|"
            r"übertragbarkeit (?:meiner|der|von) (?:(?:{adj}) )?daten",
            r"(?:(?:kopie|export|abschrift|auszug) )?(?:{data}) {gap}(?:in|als) (?:einem |einer |ein |eine )?"
            r"(?:{machine})",
            r"(?:{data}) {gap}(?:an|zu) (?:einen |einem |den |die |das )?(?:anderen|neuen) (?:{provider}) {gap}"
            r"(?:übertragen|übermitteln|senden|schicken|weitergeben|weiterleiten|mitnehmen)",
            r"(?:übertragen|übermitteln|senden|schicken) (?:sie )?{gap}(?:{data}) (?:an|zu) "
            r"(?:einen |einem |den |die )?(?:anderen|neuen) (?:{provider})",
            r"(?:{data}) {gap}(?:exportieren|mitnehmen)|export {gap}(?:{data})|datenexport",
        ),
        Right.RECTIFICATION: (
            r"(?:berichtigen|korrigieren|korrigiere|berichtige|korrigiert|berichtigt|richtigstellen) {gap}(?:{field})",
            r"(?:{field}) {gap}(?:berichtigen|korrigieren|richtigstellen|richtig stellen|zu berichtigen|"
            r"zu korrigieren)",
            r"(?:{field}) (?:ist|sind|wurde|wurden|steht|stehen|war|waren) {gap}(?:{wrong})",
            # "stimmen nicht mit der Bestellung überein" compares with an order: not a correction.
            r"(?:{field}) (?:stimmt|stimmen) (?:so )?nicht(?! (?:\w+ ){0,4}überein)",
            r"berichtigung {gap}(?:{field})|recht auf berichtigung|berichtigungsantrag",
        ),
        Right.RESTRICTION: (
            r"einschränkung (?:der )?verarbeitung|recht auf einschränkung",
            r"(?:verarbeitung|nutzung) {gap}(?:(?:{data}) )?(?:einschränken|einzuschränken|beschränken|zu beschränken|"
            r"sperren|zu sperren)",
            r"(?:schränken|beschränken) (?:sie |ihr )?{gap}(?:die )?(?:verarbeitung|nutzung)",
            r"sperrung {gap}(?:{data})|(?:{data}) {gap}sperren|sperren (?:sie )?{gap}(?:{data})",
        ),
        Right.OBJECTION: (
            r"(?:möchte|will|möchten|wollen) nicht,? dass {gap}(?:{data}) {gap}(?:für|zu) (?:{marketing}) "
            r"(?:genutzt|verwendet|verarbeitet|weitergegeben)",
            r"widersprech\w* {gap}(?:der|die|dem|einer|jeder|jeglicher) (?:weiteren )?(?:verarbeitung|nutzung|"
            r"verwendung|weitergabe|speicherung|auswertung|profilbildung)",
            r"widerspruch {gap}gegen (?:die |jede |jegliche )?(?:weitere )?(?:verarbeitung|nutzung|verwendung|"
            r"weitergabe|speicherung|profilbildung)",
            r"(?:nutzen|verwenden|verarbeiten) (?:sie |ihr )?{gap}(?:{data}) nicht (?:mehr )?(?:für|zu) "
            r"(?:{marketing})",
            r"(?:{data}) {gap}nicht (?:mehr )?(?:für|zu) (?:{marketing}) (?:nutzen|verwenden|verarbeiten|genutzt|"
            r"verwendet|zu nutzen|zu verwenden)",
            r"(?:hören|hört) (?:sie |ihr )?auf,? {gap}(?:{data}) {gap}zu (?:nutzen|verwenden|verarbeiten|speichern)",
        ),
        Right.WITHDRAWAL: (
            r"(?:widerrufe|widerrufen|widerruft) {gap}(?:{consent})",
            r"(?:ziehe|ziehen) {gap}(?:{consent}) {gap}zurück",
            r"(?:{consent}) {gap}(?:widerrufen|zurückziehen|zurücknehmen|zu widerrufen|zurückzuziehen|zurückzunehmen)",
            r"widerruf {gap}(?:{consent})",
            r"(?:ich )?(?:willige|stimme) (?:hiermit )?nicht mehr (?:ein|zu)",
        ),
    },
    right_nouns={
        Right.ACCESS: r"auskunft|auskunftsersuchen|auskunftsanfrage|auskunftsantrag|kopie|einsicht",
        Right.ERASURE: r"löschung|löschantrag|löschanfrage|löschungsantrag",
        Right.RECTIFICATION: r"berichtigung|korrektur",
        Right.RESTRICTION: r"einschränkung|sperrung",
        Right.PORTABILITY: r"übertragbarkeit|datenübertragbarkeit|datenexport",
        Right.OBJECTION: r"widerspruch",
        Right.WITHDRAWAL: r"widerruf",
    },
    generic=(
        r"(?:{law}) (?:anfrage|antrag|ersuchen|anliegen)|(?:anfrage|antrag|ersuchen) (?:(?:\w+ ){0,2})?(?:nach|gemäß|"
        r"laut|gem) (?:der |dem )?(?:{law})",
        r"betroffenenanfrage|betroffenenrechte (?:\w+ )?(?:geltend|wahrnehmen|ausüben)|"
        r"(?:meine|meiner) (?:(?:{law}|datenschutz) ?)?rechte (?:\w+ )?(?:geltend machen|wahrnehmen|ausüben)",
    ),
    negation=r"nicht|kein|keine|keinen|keiner|keinesfalls|nie|niemals",
    trailing_negation=r"nicht|nie|niemals|keinesfalls",
    hypothetical=r"wenn|falls|ob|wann|wie lange|was passiert|werden sie|werdet ihr|haben sie|habt ihr",
    polite=r"bitte|könnten|könntet|würden|würdet|wäre|möglich",
)
