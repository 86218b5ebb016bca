"""Italian: how customers ask for their data-protection rights (the pattern language: ``templating``)."""

from consent.request_phrases.templating import Lexicon
from consent.rights import Right

LEXICON = Lexicon(
    slots={
        "filler": (
            r"per favore|per piacere|per cortesia|gentilmente|cortesemente|tutti|tutte|anche|subito|immediatamente|"
            r"definitivamente|completamente|pure|voi|ora|adesso|al piu presto|quanto prima|urgentemente"
        ),
        "adj": r"personali|anagrafici|memorizzati|salvati|conservati|registrati",
        "business": (
            r"(?:del|della|dello|dell|dei|delle|di|per|sul|sulla|nel|nella) (?:mio |mia |\w+ )?(?:ordine|ordini|"
            r"ordinazione|prenotazione|consegna|spedizione|fattura|bolletta|pagamento|carta|contratto|abbonamento|"
            r"acquisto|appuntamento|reso|pacco|fatturazione)"
        ),
        # After "my data": mobile data, and data that are not about the person (login, bank, payment details).
        "other_data": r"mobili|internet|traffico|cellulare|di accesso|di login|bancari|di pagamento",
        "data": (
            r"(?:(?:i|dei|ai|sui|nei|coi|le|delle|alle|sulle|di tutti i|di tutte le|a tutti i|tutti i|tutte le) )?"
            r"(?:miei|mie) (?:dati|informazioni|info)(?: (?:{adj}))?(?! {business})(?! (?:{other_data}))"
            r"|(?:(?:i|dei|ai|tutti i|di tutti i) )?dati (?:personali|anagrafici)(?! {business})"
            r"|(?:(?:i|dei|ai|tutti i|di tutti i|le|delle|tutte le) )?(?:dati|informazioni) che (?:avete|conservate|"
            r"trattate|tenete|possedete|detenete|avete salvato|avete raccolto|avete memorizzato) (?:(?:ancora) )?"
            r"(?:su di me|su me|di me|riguardo a me|sul mio conto)"
            r"|(?:(?:i|dei|ai|tutti i|di tutti i|le|delle|tutte le) )?(?:dati|informazioni) che mi riguardano"
            r"|tutto (?:quello|cio) che (?:avete|sapete|conservate) (?:su di me|di me|sul mio conto)"
        ),
        "account": r"(?:(?:il|del|al) )?mio (?:account|profilo)(?: utente)?(?! (?:{business}))",
        "field": (
            r"(?:(?:il|del|al) )?mio (?:nome|cognome|nominativo|indirizzo(?: (?:email|e ?mail|di casa|di residenza))?|"
            r"numero(?: di (?:telefono|cellulare))?|codice fiscale|e ?mail|telefono|cellulare)(?! {business})"
            r"|(?:(?:la|della|alla) )?mia (?:data di nascita|e ?mail|mail|residenza)"
            r"|{data}"
        ),
        "consent": r"(?:(?:il|del|al|ogni|qualsiasi|qualunque) )?(?:mio )?consens[oi]",
        "erase": (
            r"cancella|cancellare|cancellate|cancelli|cancellino|cancellatemi|elimina|eliminare|eliminate|elimini|"
            r"eliminino|eliminatemi|rimuovi|rimuovere|rimuovete|rimuova|rimuovetemi|distruggete|distruggere|"
            # "vorrei che cancellaste / voglio che cancelliate"
            r"cancelliate|cancellaste|eliminiate|eliminaste|rimuoviate|rimuoveste"
        ),
        "marketing": (r"marketing|pubblicita|pubblicitari|promozionali|promozioni|commerciali|profilazione|newsletter"),
        "wrong": (
            r"sbagliat[oaie]|errat[oaie]|scritt[oaie] (?:male|in modo errato|sbagliato)|non corrett[oaie]|"
            r"inesatt[oaie]|incorrett[oaie]|non aggiornat[oaie]|obsolet[oaie]"
        ),
        "provider": r"fornitore|gestore|operatore|titolare|azienda|societa|servizio|banca|compagnia",
    },
    rights={
        Right.ERASURE: (
            r"(?:{erase}) {gap}(?:{data}|{account})",
            r"(?:voglio|vorrei|chiedo|desidero|richiedo|esigo) {gap}che {gap}(?:{data}|{account}) (?:vengano|siano|sia|"
            r"venga) (?:\w+ )?(?:cancellat[oaie]|eliminat[oaie]|rimoss[oaie]|distrutt[oaie])",
            r"cancellazione {gap}(?:{data}|{account})|eliminazione {gap}(?:{data}|{account})",
            r"diritto all oblio|diritto (?:alla|di) cancellazione",
            r"(?:{erase}) {gap}(?:me )?(?:dal|dai|dalla|dalle) (?:vostr[oaie] |vs )?(?:database|sistema|sistemi|"
            r"archivio|archivi|banca dati|banche dati|anagrafica|gestionale)",
        ),
        Right.ACCESS: (
            r"(?:copia|elenco|lista|riepilogo|estratto|prospetto) {gap}(?:{data})",
            r"accesso {gap}(?:{data})",
            r"quali (?:(?:sono i|sono le) )?(?:dati|informazioni)(?: personali)? (?:avete|conservate|trattate|tenete|"
            r"possedete|detenete|avete salvato|avete raccolto|avete memorizzato) (?:(?:ancora) )?(?:su di me|su me|"
            r"di me|riguardo a me|sul mio conto)",
            r"quali (?:(?:sono i|sono le) )?(?:dati|informazioni)(?: personali)? (?:che )?mi riguardano",
            r"diritto (?:di|d) accesso|richiesta di accesso ai (?:miei )?dati",
            r"(?:inviatemi|mandatemi|inviami|mandami|inviarmi|mandarmi|fornitemi|fornirmi|datemi) {gap}(?:{data})",
        ),
        Right.PORTABILITY: (
            r"portabilita (?:dei |di )?(?:miei )?dati|diritto alla portabilita",
            r"(?:(?:copia|esportazione|export|file) (?:di |dei )?)?(?:{data}) {gap}in (?:un )?formato (?:leggibile|"
            r"strutturato|elettronico|digitale|csv|json|xml|excel|di uso comune|aperto)",
            r"(?:trasferire|trasferite|trasferisci|trasmettere|trasmettete|inviare|mandare|passare) {gap}(?:{data}) "
            r"(?:a|ad|verso|presso) (?:un |una )?(?:altro|altra|nuovo|nuova) (?:{provider})",
            r"(?:esportare|esportate|esportazione) {gap}(?:{data})",
        ),
        Right.RECTIFICATION: (
            r"(?:correggere|correggete|correggi|corregga|rettificare|rettificate|rettifica|rettificazione|sistemare|"
            r"sistemate) {gap}(?:{field})",
            r"(?:{field}) (?:e|sono|risulta|risultano|era|erano) {gap}(?:{wrong})",
            r"(?:{field}) non (?:e|sono|risulta|risultano) (?:corrett|giust|aggiornat)[oaie]",
            r"diritto (?:di|alla) rettifica|richiesta di rettifica",
        ),
        Right.RESTRICTION: (
            r"limitazione (?:del )?trattamento|(?:limitare|limitate|limitino) (?:il )?trattamento|"
            r"diritto (?:di|alla) limitazione",
            r"(?:bloccare|bloccate) (?:il )?trattamento",
        ),
        Right.OBJECTION: (
            r"non (?:voglio|vogliamo) (?:piu )?che (?:usiate|utilizziate|trattiate|usate|utilizzate|vendiate|"
            r"condividiate) {gap}(?:{data})",
            r"mi oppongo (?:al |all |alla |a qualsiasi |a ogni |ad ogni )?(?:ulteriore )?(?:trattamento|utilizzo|uso|"
            r"profilazione)",
            r"opposizione (?:al |all )?(?:trattamento|utilizzo|uso)|diritto (?:di|all) opposizione",
            r"non (?:usate|utilizzate|trattate|usare|utilizzare|trattare) (?:piu )?{gap}(?:{data}) (?:per|a) "
            r"(?:fini |scopi )?(?:{marketing})",
            r"smett(?:ete|i|ere|a) (?:di )?(?:usare|utilizzare|trattare) {gap}(?:{data})",
        ),
        Right.WITHDRAWAL: (
            r"(?:revoco|revocare|revocate|revochiamo|ritiro|ritirare|ritiriamo) {gap}(?:{consent})",
            r"revoca {gap}(?:del |di )?(?:{consent})",
            r"non (?:do|presto) piu (?:il )?(?:mio )?consenso",
        ),
    },
    right_nouns={
        Right.ACCESS: r"accesso|copia",
        Right.ERASURE: r"cancellazione|oblio",
        Right.RECTIFICATION: r"rettifica",
        Right.RESTRICTION: r"limitazione",
        Right.PORTABILITY: r"portabilita",
        Right.OBJECTION: r"opposizione",
        Right.WITHDRAWAL: r"revoca",
    },
    generic=(
        r"(?:richiesta|istanza) (?:(?:\w+ ){0,2})?(?:ai sensi del |ai sensi dell |secondo il |in base al |del |"
        r"dell )?(?:{law})|(?:{law}) (?:richiesta|istanza)",
        r"esercitare i (?:miei )?diritti(?: (?:privacy|(?:{law})|(?:previsti dal |del )(?:{law})))?",
    ),
    negation=r"non|mai|nessun|nessuna",
    hypothetical=r"se|qualora|quando|come mai|cosa succede|perche",
    polite=r"per favore|per cortesia|potete|potreste|possibile|gentilmente|vorrei",
)
