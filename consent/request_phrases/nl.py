"""Dutch: how customers ask for their data-protection rights (the pattern language: ``templating``)."""

from consent.request_phrases.templating import Lexicon
from consent.rights import Right

LEXICON = Lexicon(
    slots={
        "filler": (
            r"graag|alstublieft|alsjeblieft|aub|svp|al|alle|ook|nu|direct|meteen|onmiddellijk|definitief|volledig|"
            r"helemaal|even|dan|wel|bij u|bij jullie|u|jullie|je|toch|per direct|zo snel mogelijk|dringend"
        ),
        "adj": r"persoonlijke|opgeslagen|eigen|bewaarde|verzamelde|volledige|prive",
        "business": (
            r"(?:van|voor|bij|over|uit|op|in) (?:de|het|mijn|deze|die|een) (?:\w+ )?(?:bestelling|order|levering|"
            r"afspraak|factuur|rekening|boeking|reservering|pakket|zending|betaling|contract|abonnement|retour|kaart)"
        ),
        "data": (
            r"(?:al |alle )?(?:mijn|m n|mn|onze) (?:(?:{adj}) )?(?:gegevens|persoonsgegevens|data|informatie|"
            r"klantgegevens|info)(?! {business})"
            r"|(?:al |alle |de )?persoonsgegevens(?! {business})"
            r"|(?:alle |de )?(?:gegevens|informatie|data) die (?:u|jullie|je|jij) (?:(?:nog|allemaal) )?(?:van|over) "
            r"mij (?:hebt|heeft|hebben|bewaart|bewaren|verwerkt|verwerken|bezit|bezitten|opslaat|opslaan|"
            r"(?:hebt|heeft|hebben) (?:opgeslagen|verzameld|bewaard))"
            r"|alles wat (?:u|jullie|je) (?:(?:nog|allemaal) )?(?:van|over) mij (?:hebt|heeft|hebben|weet|weten|"
            r"bewaart|bewaren|opgeslagen)"
        ),
        "account": (
            r"(?:mijn|m n|mn) (?:(?:klant|gebruikers) ?)?(?:account|profiel)(?! {business})"
            r"(?! (?:foto|afbeelding|naam|wachtwoord|instellingen))"
        ),
        "field": (
            r"(?:mijn|m n|mn) (?:(?:voor|achter|familie) ?)?naam"
            r"|(?:mijn|m n|mn) (?:e ?mail(?: ?adres)?|emailadres|adres|woonadres|postadres|telefoonnummer|nummer|"
            r"mobiele nummer|gsm ?nummer|geboortedatum|aanhef)(?! {business})"
            r"|{data}"
        ),
        "consent": r"(?:mijn |de |alle |elke )?(?:marketing ?)?toestemming(?:en)?",
        "marketing": (
            r"marketing|marketingdoeleinden|reclame|reclamedoeleinden|advertenties|nieuwsbrieven?|profilering|"
            r"commerciele doeleinden|direct marketing"
        ),
        "wrong": (
            r"(?:fout|verkeerd)(?: (?:gespeld|geschreven|geregistreerd|ingevoerd|opgeslagen))?|onjuist|incorrect|"
            r"niet (?:juist|correct|goed(?: (?:gespeld|geschreven))?|meer actueel|actueel)|verouderd"
        ),
        "provider": (
            r"aanbieder|leverancier|partij|dienst|bedrijf|verzekeraar|bank|provider|organisatie|dienstverlener"
        ),
    },
    rights={
        Right.ERASURE: (
            r"dat (?:u|jullie|je) {gap}(?:{data}|{account}) {gap}(?:verwijdert|verwijderen|wist|wissen)",
            r"(?:verwijder|wis) {gap}(?:{data}|{account})",
            r"(?:{data}|{account}) {gap}(?:laten )?(?:verwijderen|wissen|te verwijderen|te wissen)",
            r"(?:wil|willen|graag|verzoek|vraag|wens) {gap}(?:dat )?(?:{data}|{account}) {gap}(?:(?:worden|wordt) )?"
            r"(?:verwijderd|gewist)",
            r"(?:verwijder|wis) {gap}mij (?:uit|van) (?:uw|jullie|je|het|de) (?:database|systeem|systemen|bestand|"
            r"administratie|klantenbestand|databank)",
            r"verwijdering (?:van )?{gap}(?:{data}|{account})",
            r"recht op (?:vergetelheid|verwijdering|vergeten worden|vergeten te worden)|recht om vergeten te worden|"
            r"verwijderverzoek|verwijderingsverzoek",
        ),
        Right.ACCESS: (
            r"inzage {gap}(?:in )?(?:{data})",
            r"recht op inzage|inzageverzoek|inzagerecht|verzoek (?:om|tot) inzage",
            r"(?:kopie|overzicht|afschrift|lijst) (?:van )?{gap}(?:{data})",
            r"welke (?:(?:{adj}) )?(?:gegevens|persoonsgegevens|informatie|data) (?:hebt|heeft|hebben|bewaart|bewaren|"
            r"verwerkt|verwerken|bezit|bezitten) (?:u|jullie|je|jij) (?:(?:nog|allemaal|eigenlijk) )?(?:van|over) mij"
            r"(?! (?:\w+ )?nodig)",
            r"welke (?:(?:{adj}) )?(?:gegevens|persoonsgegevens|informatie|data) (?:u|jullie|je|jij) "
            r"(?:(?:nog|allemaal|eigenlijk) )?(?:van|over) mij (?:hebt|heeft|hebben|bewaart|bewaren|verwerkt|verwerken|"
            r"bezit|opgeslagen|opslaat)",
            r"(?:stuur|stuurt|mail|geef) {gap}(?:mij|me) {gap}(?:{data})",
        ),
        Right.PORTABILITY: (
            r"(?:recht op )?(?:data)?overdraagbaarheid(?: van (?:de |mijn )?gegevens)?|dataportabiliteit",
            r"(?:(?:kopie|export|bestand) van )?(?:{data}) {gap}in (?:een )?(?:machine ?leesba|gestructureerd|gangba|"
            r"elektronisch|digitaal|digitale)\w* (?:formaat|bestand|vorm)",
            r"(?:(?:kopie|export|bestand) van )?(?:{data}) {gap}(?:als|in) (?:een )?(?:csv|json|xml|excel)",
            r"(?:{data}) {gap}(?:naar|aan) (?:een )?(?:andere|nieuwe) (?:{provider}) {gap}(?:overdragen|overzetten|"
            r"sturen|doorsturen|overbrengen|meenemen)",
            r"(?:draag|zet|stuur) {gap}(?:{data}) (?:over )?(?:naar|aan) (?:een )?(?:andere|nieuwe) (?:{provider})",
            r"(?:{data}) {gap}exporteren|export van {gap}(?:{data})",
        ),
        Right.RECTIFICATION: (
            r"(?:corrigeer|corrigeren|verbeter|verbeteren|rectificeer|rectificeren|herstel|herstellen) {gap}"
            r"(?:{field})",
            r"(?:{field}) {gap}(?:corrigeren|verbeteren|rectificeren|rechtzetten|herstellen|laten corrigeren|"
            r"te corrigeren)",
            r"(?:{field}) (?:is|zijn|staat|staan|was|werd) {gap}(?:{wrong})",
            r"(?:{field}) (?:klopt|kloppen) (?:\w+ )?niet",
            r"rectificatie|correctie (?:van )?{gap}(?:{field})|recht op (?:rectificatie|correctie)",
        ),
        Right.RESTRICTION: (
            r"beperking (?:van )?(?:de )?verwerking|recht op beperking",
            r"(?:beperk|beperken|beperkt) {gap}(?:de )?verwerking",
            r"(?:de )?verwerking (?:van )?(?:(?:{data}) )?(?:beperken|te beperken|blokkeren|te blokkeren)",
        ),
        Right.OBJECTION: (
            r"bezwaar (?:aan )?tegen (?:de |het |elke |verdere )?(?:verwerking|gebruik|verwerken|profilering|"
            r"direct marketing)",
            r"(?:stop|stopt|stoppen) (?:met )?(?:het )?(?:gebruiken|gebruik|verwerken|verwerking|delen|verkopen) "
            r"(?:van )?{gap}(?:{data})",
            r"(?:gebruik|gebruikt|verwerk) {gap}(?:{data}) (?:niet|nooit) (?:meer )?voor (?:{marketing})",
            r"(?:{data}) {gap}(?:niet|nooit) (?:meer )?(?:voor|in) (?:{marketing}) (?:gebruiken|verwerken|gebruikt|"
            r"verwerkt|inzetten)",
        ),
        Right.WITHDRAWAL: (
            r"(?:trek|trekken|trekt) {gap}(?:{consent}) {gap}in",
            r"(?:{consent}) {gap}(?:intrekken|in te trekken|ingetrokken|terugtrekken|terug te trekken|herroepen)",
            r"(?:intrekking|intrekken|herroeping|herroepen) (?:van )?(?:{consent})",
            r"(?:ik )?geef (?:u |jullie )?geen toestemming meer",
        ),
    },
    right_nouns={
        Right.ACCESS: r"inzage|inzageverzoek|kopie",
        Right.ERASURE: r"verwijdering|verwijderverzoek|vergetelheid",
        Right.RECTIFICATION: r"rectificatie|correctie|verbetering",
        Right.RESTRICTION: r"beperking",
        Right.PORTABILITY: r"overdraagbaarheid|dataportabiliteit",
        Right.OBJECTION: r"bezwaar",
        Right.WITHDRAWAL: r"intrekking",
    },
    generic=(
        r"(?:{law}) ?(?:verzoek|aanvraag)|(?:verzoek|aanvraag) (?:(?:\w+ ){0,2})?(?:op grond van|volgens|onder) "
        r"(?:de )?(?:{law})",
        r"privacyverzoek|(?:mijn )?(?:privacy ?)?rechten (?:\w+ )?uitoefenen",
    ),
    negation=r"niet|geen|nooit",
    trailing_negation=r"niet|nooit",
    hypothetical=r"als|indien|wanneer|hoe lang|wat gebeurt|mocht|worden",
    polite=r"graag|alstublieft|alsjeblieft|aub|kunt|kan|kunnen|zou|zouden|wilt|mogelijk|vriendelijk",
)
