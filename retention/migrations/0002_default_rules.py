"""The shipped retention rules (issue "Deletion concept"): one per data category, each with its reason for the
customer in the five languages we serve. The DPO edits them in the admin; every change is kept."""

from django.db import migrations

CONVERSATION = {
    "en": "The messages we exchanged are kept for six months after your request is resolved, in case you come "
    "back to it or a question about it arises.",
    "de": "Die Nachrichten, die wir ausgetauscht haben, bewahren wir sechs Monate nach Erledigung Ihres Anliegens "
    "auf, falls Sie darauf zurückkommen oder Fragen dazu entstehen.",
    "nl": "De berichten die we hebben uitgewisseld, bewaren we zes maanden nadat uw vraag is afgehandeld, voor "
    "het geval u erop terugkomt of er vragen over ontstaan.",
    "it": "I messaggi che ci siamo scambiati sono conservati per sei mesi dopo la risoluzione della sua "
    "richiesta, nel caso lei ci ritorni o sorgano domande.",
    "pt-br": "As mensagens que trocamos são guardadas por seis meses depois que sua solicitação é resolvida, caso "
    "você volte a ela ou surjam dúvidas.",
}

RULES = [
    ("identity", "nothing_else_kept", 0, "delete", {
        "en": "We keep your name and how to reach you only as long as we keep anything else about you: to be able "
        "to answer you and to prove what you agreed to.",
        "de": "Ihren Namen und Ihre Kontaktdaten speichern wir nur so lange, wie wir andere Daten von Ihnen "
        "speichern: um Ihnen antworten und nachweisen zu können, wozu Sie eingewilligt haben.",
        "nl": "Uw naam en contactgegevens bewaren we alleen zolang we andere gegevens van u bewaren: om u te "
        "kunnen antwoorden en te kunnen aantonen waarmee u hebt ingestemd.",
        "it": "Conserviamo il suo nome e i suoi recapiti solo finché conserviamo altri suoi dati: per poterle "
        "rispondere e dimostrare a che cosa ha acconsentito.",
        "pt-br": "Guardamos seu nome e seus contatos apenas enquanto guardamos outros dados seus: para poder "
        "responder a você e comprovar com o que você concordou.",
    }),
    ("contact_points", "nothing_else_kept", 0, "delete", None),  # the identity's text
    ("conversations", "conversation_resolved", 180, "delete", {
        "en": "When you wrote to us and which team answered is kept as long as the messages: six months after your "
        "request is resolved.",
        "de": "Wann Sie uns geschrieben haben und welches Team geantwortet hat, bewahren wir so lange auf wie die "
        "Nachrichten: sechs Monate nach Erledigung Ihres Anliegens.",
        "nl": "Wanneer u ons schreef en welk team antwoordde, bewaren we even lang als de berichten: zes maanden "
        "nadat uw vraag is afgehandeld.",
        "it": "Quando ci ha scritto e quale team ha risposto è conservato quanto i messaggi: sei mesi dopo la "
        "risoluzione della sua richiesta.",
        "pt-br": "Quando você nos escreveu e qual equipe respondeu é guardado enquanto as mensagens: seis meses "
        "depois que sua solicitação é resolvida.",
    }),
    ("messages", "conversation_resolved", 180, "delete", CONVERSATION),
    ("notes", "conversation_resolved", 180, "delete", {
        "en": "Notes our staff write about your request are kept as long as our conversation: six months after "
        "your request is resolved.",
        "de": "Notizen unserer Mitarbeitenden zu Ihrem Anliegen bewahren wir so lange auf wie das Gespräch: sechs "
        "Monate nach Erledigung Ihres Anliegens.",
        "nl": "Notities van onze medewerkers over uw vraag bewaren we even lang als het gesprek: zes maanden nadat "
        "uw vraag is afgehandeld.",
        "it": "Le note dei nostri collaboratori sulla sua richiesta sono conservate quanto la conversazione: sei "
        "mesi dopo la risoluzione della richiesta.",
        "pt-br": "As anotações da nossa equipe sobre sua solicitação são guardadas enquanto a conversa: seis meses "
        "depois que a solicitação é resolvida.",
    }),
    ("media", "collected", 30, "delete", {
        "en": "Files you send us are kept for 30 days after they arrive, long enough to handle your request; "
        "WhatsApp's provider keeps its copy for 30 days too.",
        "de": "Dateien, die Sie uns senden, bewahren wir 30 Tage nach Eingang auf, lange genug, um Ihr Anliegen zu "
        "bearbeiten; auch der Anbieter von WhatsApp bewahrt seine Kopie 30 Tage auf.",
        "nl": "Bestanden die u ons stuurt, bewaren we 30 dagen na ontvangst, lang genoeg om uw vraag af te "
        "handelen; ook de aanbieder van WhatsApp bewaart zijn kopie 30 dagen.",
        "it": "I file che ci invia sono conservati per 30 giorni dall'arrivo, il tempo necessario per gestire la "
        "sua richiesta; anche il fornitore di WhatsApp conserva la sua copia per 30 giorni.",
        "pt-br": "Os arquivos que você nos envia são guardados por 30 dias após a chegada, o suficiente para tratar "
        "sua solicitação; o provedor do WhatsApp também guarda a cópia dele por 30 dias.",
    }),
    ("consent_evidence", "consent_withdrawn", 1095, "anonymise", {
        "en": "We keep the record of what you agreed to or withdrew for three years, to prove that we contacted "
        "you only with your consent; after that it is kept only without anything that identifies you.",
        "de": "Den Nachweis, wozu Sie eingewilligt oder was Sie widerrufen haben, bewahren wir drei Jahre auf, um "
        "belegen zu können, dass wir Sie nur mit Ihrer Einwilligung kontaktiert haben; danach nur noch ohne "
        "Angaben, die Sie erkennbar machen.",
        "nl": "Het bewijs van waarmee u hebt ingestemd of wat u hebt ingetrokken, bewaren we drie jaar om te kunnen "
        "aantonen dat we u alleen met uw toestemming hebben benaderd; daarna alleen nog zonder gegevens die u "
        "herkenbaar maken.",
        "it": "Conserviamo per tre anni la prova di ciò a cui ha acconsentito o che ha revocato, per dimostrare che "
        "l'abbiamo contattata solo con il suo consenso; in seguito solo senza dati che la rendano identificabile.",
        "pt-br": "Guardamos por três anos o registro do que você autorizou ou revogou, para comprovar que só "
        "entramos em contato com o seu consentimento; depois disso, apenas sem dados que identifiquem você.",
    }),
    ("sensitive_alerts", "collected", 365, "delete", {
        "en": "Alerts about sensitive data in your messages are kept for one year, so that our data-protection "
        "officer can check how it was handled.",
        "de": "Hinweise auf sensible Daten in Ihren Nachrichten bewahren wir ein Jahr auf, damit unser "
        "Datenschutzbeauftragter prüfen kann, wie damit umgegangen wurde.",
        "nl": "Meldingen over gevoelige gegevens in uw berichten bewaren we een jaar, zodat onze functionaris voor "
        "gegevensbescherming kan nagaan hoe ermee is omgegaan.",
        "it": "Le segnalazioni di dati sensibili nei suoi messaggi sono conservate per un anno, perché il nostro "
        "responsabile della protezione dei dati possa verificare come sono stati trattati.",
        "pt-br": "Os alertas sobre dados sensíveis nas suas mensagens são guardados por um ano, para que nosso "
        "encarregado de dados possa verificar como foram tratados.",
    }),
    ("access_log", "collected", 365, "delete", {
        "en": "The record of which of our staff looked at hidden parts of your data, and why, is kept for one "
        "year, to protect your data against misuse.",
        "de": "Das Protokoll, wer von unseren Mitarbeitenden verborgene Teile Ihrer Daten angesehen hat und warum, "
        "bewahren wir ein Jahr auf, um Ihre Daten vor Missbrauch zu schützen.",
        "nl": "Het overzicht van wie van onze medewerkers verborgen delen van uw gegevens heeft bekeken, en "
        "waarom, bewaren we een jaar om uw gegevens tegen misbruik te beschermen.",
        "it": "Il registro di quali nostri collaboratori hanno visto parti nascoste dei suoi dati, e perché, è "
        "conservato per un anno, per proteggere i suoi dati dagli abusi.",
        "pt-br": "O registro de quais membros da nossa equipe viram partes ocultas dos seus dados, e por quê, é "
        "guardado por um ano, para proteger seus dados contra uso indevido.",
    }),
    ("realtime_events", "collected", 30, "delete", {
        "en": "Technical records that keep our agents' screens up to date are deleted after 30 days.",
        "de": "Technische Einträge, die die Bildschirme unserer Mitarbeitenden aktuell halten, löschen wir nach "
        "30 Tagen.",
        "nl": "Technische gegevens die de schermen van onze medewerkers actueel houden, verwijderen we na 30 "
        "dagen.",
        "it": "I dati tecnici che tengono aggiornati gli schermi dei nostri operatori vengono cancellati dopo 30 "
        "giorni.",
        "pt-br": "Os registros técnicos que mantêm as telas dos nossos atendentes atualizadas são apagados após "
        "30 dias.",
    }),
    ("early_statuses", "collected", 7, "delete", {
        "en": "Delivery reports we cannot yet match to a message are deleted after 7 days.",
        "de": "Zustellberichte, die wir noch keiner Nachricht zuordnen können, löschen wir nach 7 Tagen.",
        "nl": "Afleverberichten die we nog niet aan een bericht kunnen koppelen, verwijderen we na 7 dagen.",
        "it": "I rapporti di consegna che non possiamo ancora abbinare a un messaggio vengono cancellati dopo 7 "
        "giorni.",
        "pt-br": "Os relatórios de entrega que ainda não conseguimos associar a uma mensagem são apagados após 7 "
        "dias.",
    }),
    ("background_tasks", "collected", 30, "delete", {
        "en": "Records of sending your messages and fetching your files are deleted 30 days after the task.",
        "de": "Einträge über das Senden Ihrer Nachrichten und das Abrufen Ihrer Dateien löschen wir 30 Tage nach "
        "dem Vorgang.",
        "nl": "Gegevens over het verzenden van uw berichten en het ophalen van uw bestanden verwijderen we 30 "
        "dagen na de taak.",
        "it": "I dati sull'invio dei suoi messaggi e sul recupero dei suoi file vengono cancellati 30 giorni dopo "
        "l'operazione.",
        "pt-br": "Os registros de envio das suas mensagens e de busca dos seus arquivos são apagados 30 dias após "
        "a tarefa.",
    }),
    ("subject_requests", "request_closed", 1095, "delete", {
        "en": "Your requests about your data and our answers are kept for three years after they close, to prove "
        "that we answered them.",
        "de": "Ihre Anfragen zu Ihren Daten und unsere Antworten bewahren wir drei Jahre nach Abschluss auf, um "
        "nachweisen zu können, dass wir sie beantwortet haben.",
        "nl": "Uw verzoeken over uw gegevens en onze antwoorden bewaren we drie jaar na afronding, om te kunnen "
        "aantonen dat we ze hebben beantwoord.",
        "it": "Le sue richieste sui suoi dati e le nostre risposte sono conservate per tre anni dopo la chiusura, "
        "per dimostrare che abbiamo risposto.",
        "pt-br": "Suas solicitações sobre seus dados e nossas respostas são guardadas por três anos após o "
        "encerramento, para comprovar que respondemos.",
    }),
    ("legal_holds", "collected", 1095, "delete", {
        "en": "Records of legal holds on your data are kept for three years after they were placed, as evidence "
        "of why data was kept longer.",
        "de": "Einträge über rechtliche Aufbewahrungspflichten für Ihre Daten bewahren wir drei Jahre ab ihrer "
        "Anordnung auf, als Nachweis, warum Daten länger gespeichert wurden.",
        "nl": "Gegevens over een wettelijke bewaarplicht voor uw gegevens bewaren we drie jaar nadat die is "
        "opgelegd, als bewijs waarom gegevens langer zijn bewaard.",
        "it": "I dati sugli obblighi legali di conservazione dei suoi dati sono conservati per tre anni dalla loro "
        "disposizione, come prova del motivo per cui i dati sono stati conservati più a lungo.",
        "pt-br": "Os registros de retenção legal dos seus dados são guardados por três anos após serem "
        "determinados, como prova do motivo pelo qual os dados foram guardados por mais tempo.",
    }),
]


def create(apps, schema_editor):
    RetentionRule = apps.get_model("retention", "RetentionRule")
    identity = RULES[0][4]
    for category, clock, days, action, reason in RULES:
        RetentionRule.objects.get_or_create(
            category=category,
            defaults={"clock": clock, "period_days": days, "action": action, "legal_reason": reason or identity},
        )


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_deletion_concept")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
