"""Demo data for a newcomer's ``make run``. Idempotent: running it again changes nothing.

Refuses to run with DEBUG off: the demo passwords are printed and public.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from consent import services as consent_services
from consent.models import ConsentChannel, PrivacyNotice, Purpose
from consent.selectors import notice_current
from contactcenter import roles
from contactcenter.models import Controller, SupervisoryAuthority
from conversations import services as conversation_services
from conversations.models import CannedResponse, Team, TeamMembership, WatchTerm

DEMO_USERS = [
    # username, password, role, staff (admin access), superuser
    ("admin", "admin-demo-pass", roles.ADMIN, True, True),
    ("dpo", "dpo-demo-pass", roles.DPO, True, False),
    ("supervisor", "supervisor-demo-pass", roles.SUPERVISOR, True, False),
    ("agent", "agent-demo-pass", roles.AGENT, False, False),
]

DEMO_PURPOSES = [
    {
        "code": "customer-service",
        "name": {
            "en": "Answering your requests",
            "de": "Beantwortung Ihrer Anfragen",
            "nl": "Beantwoording van uw vragen",
            "it": "Risposta alle sue richieste",
            "pt-br": "Atendimento às suas solicitações",
        },
        "description": {
            "en": "We process your messages to answer the questions you send us and to handle your orders.",
            "de": "Wir verarbeiten Ihre Nachrichten, um Ihre Fragen zu beantworten und Ihre Bestellungen abzuwickeln.",
            "nl": "We verwerken uw berichten om uw vragen te beantwoorden en uw bestellingen af te handelen.",
            "it": "Trattiamo i suoi messaggi per rispondere alle sue domande e gestire i suoi ordini.",
            "pt-br": "Tratamos suas mensagens para responder às suas perguntas e atender aos seus pedidos.",
        },
        "legal_bases": {"GDPR": "gdpr-6-1-b", "LGPD": "lgpd-7-v"},
    },
    {
        "code": "marketing-whatsapp",
        "name": {
            "en": "Offers and news on WhatsApp",
            "de": "Angebote und Neuigkeiten per WhatsApp",
            "nl": "Aanbiedingen en nieuws via WhatsApp",
            "it": "Offerte e novità su WhatsApp",
            "pt-br": "Ofertas e novidades pelo WhatsApp",
        },
        "description": {
            "en": "With your consent we send you offers and news on WhatsApp. Reply STOP at any time.",
            "de": "Mit Ihrer Einwilligung senden wir Ihnen Angebote per WhatsApp. Antworten Sie jederzeit STOPP.",
            "nl": "Met uw toestemming sturen we u aanbiedingen via WhatsApp. Antwoord op elk moment STOP.",
            "it": "Con il suo consenso le inviamo offerte su WhatsApp. Risponda STOP in qualsiasi momento.",
            "pt-br": "Com o seu consentimento enviamos ofertas pelo WhatsApp. Responda PARAR a qualquer momento.",
        },
        "legal_bases": {"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"},
        "is_marketing": True,
        "requires_double_opt_in": True,
    },
    {
        "code": "service-quality",
        "name": {
            "en": "Improving our service",
            "de": "Verbesserung unseres Service",
            "nl": "Verbetering van onze service",
            "it": "Miglioramento del servizio",
            "pt-br": "Melhoria do nosso atendimento",
        },
        "description": {
            "en": "We measure response times and resolution rates, without reading message content.",
            "de": "Wir messen Antwortzeiten und Lösungsquoten, ohne Nachrichteninhalte zu lesen.",
            "nl": "We meten reactietijden en oplospercentages, zonder berichtinhoud te lezen.",
            "it": "Misuriamo tempi di risposta e tassi di risoluzione, senza leggere i messaggi.",
            "pt-br": "Medimos tempos de resposta e taxas de resolução, sem ler o conteúdo das mensagens.",
        },
        "legal_bases": {"GDPR": "gdpr-6-1-f", "LGPD": "lgpd-7-ix"},
        "balancing_note": (
            "Aggregated metadata only (timestamps, status); no content, no profiling of individuals; "
            "subjects can object; the interest in a reliable service does not override their rights."
        ),
    },
]

DEMO_PURPOSES.append(
    {
        "code": "webchat-service",
        "name": {
            "en": "Chatting with us on our website",
            "de": "Chat mit uns auf unserer Website",
            "nl": "Chatten met ons op onze website",
            "it": "Chat con noi sul nostro sito",
            "pt-br": "Conversa conosco no nosso site",
        },
        "description": {
            "en": "With your consent we store your chat messages to answer them and show you the conversation.",
            "de": "Mit Ihrer Einwilligung speichern wir Ihre Chatnachrichten, um sie zu beantworten.",
            "nl": "Met uw toestemming bewaren we uw chatberichten om ze te beantwoorden.",
            "it": "Con il suo consenso conserviamo i suoi messaggi di chat per rispondere.",
            "pt-br": "Com o seu consentimento guardamos suas mensagens de chat para respondê-las.",
        },
        "legal_bases": {"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"},
    }
)

DEMO_CANNED = [
    (
        "hello",
        "Greeting",
        {
            "en": "Hello! Thank you for your message. How can I help you?",
            "de": "Hallo! Danke für Ihre Nachricht. Wie kann ich Ihnen helfen?",
            "nl": "Hallo! Bedankt voor uw bericht. Hoe kan ik u helpen?",
            "it": "Salve! Grazie per il messaggio. Come posso aiutarla?",
            "pt-br": "Olá! Obrigado pela sua mensagem. Como posso ajudar?",
        },
    ),
    (
        "order",
        "Order number",
        {
            "en": "Could you send me your order number (not your card or account number)?",
            "de": "Könnten Sie mir Ihre Bestellnummer schicken (nicht Ihre Karten- oder Kontonummer)?",
            "nl": "Kunt u mij uw bestelnummer sturen (niet uw kaart- of rekeningnummer)?",
            "it": "Può inviarmi il numero d'ordine (non il numero di carta o di conto)?",
            "pt-br": "Pode me enviar o número do pedido (não o número do cartão ou da conta)?",
        },
    ),
]

_NOTICE_TEXT = {
    "en": (
        "Privacy notice",
        "Controller: Demo Shop Ltd. We process your messages to answer you (contract), and, only with your "
        "consent, to send you offers on WhatsApp. Recipient: Meta Platforms Ireland (WhatsApp), which may "
        "transfer data to the USA under the EU-US Data Privacy Framework. Messages are kept 12 months after "
        "the conversation ends. You may request access, rectification, erasure, restriction, portability and "
        "object, and complain to {authority}. Withdraw consent at any time by replying STOP.",
    ),
    "de": (
        "Datenschutzhinweis",
        "Verantwortlicher: Demo Shop GmbH. Wir verarbeiten Ihre Nachrichten zur Beantwortung (Vertrag) und, "
        "nur mit Ihrer Einwilligung, für Angebote per WhatsApp. Empfänger: Meta Platforms Ireland (WhatsApp), "
        "mit möglicher Übermittlung in die USA (EU-US Data Privacy Framework). Speicherdauer: 12 Monate nach "
        "Gesprächsende. Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung, "
        "Datenübertragbarkeit und Widerspruch sowie auf Beschwerde bei {authority}. Widerruf jederzeit mit STOPP.",
    ),
    "nl": (
        "Privacyverklaring",
        "Verwerkingsverantwoordelijke: Demo Shop B.V. We verwerken uw berichten om u te antwoorden (overeenkomst) "
        "en, alleen met uw toestemming, voor aanbiedingen via WhatsApp. Ontvanger: Meta Platforms Ireland "
        "(WhatsApp), mogelijk doorgifte naar de VS (EU-US Data Privacy Framework). Bewaartermijn: 12 maanden na "
        "het gesprek. U heeft recht op inzage, rectificatie, wissing, beperking, overdraagbaarheid en bezwaar, "
        "en kunt klagen bij {authority}. Trek uw toestemming in met STOP.",
    ),
    "it": (
        "Informativa privacy",
        "Titolare: Demo Shop S.r.l. Trattiamo i suoi messaggi per risponderle (contratto) e, solo con il suo "
        "consenso, per offerte su WhatsApp. Destinatario: Meta Platforms Ireland (WhatsApp), con possibile "
        "trasferimento negli USA (EU-US Data Privacy Framework). Conservazione: 12 mesi dalla fine della "
        "conversazione. Ha diritto di accesso, rettifica, cancellazione, limitazione, portabilità e opposizione, "
        "e di reclamo presso {authority}. Revochi il consenso rispondendo STOP.",
    ),
    "pt-br": (
        "Aviso de privacidade",
        "Controlador: Demo Shop Ltda. Tratamos suas mensagens para atendê-lo (contrato) e, somente com seu "
        "consentimento, para ofertas pelo WhatsApp. Destinatário: Meta Platforms (WhatsApp), com possível "
        "transferência internacional para os EUA. Guarda: 12 meses após o fim da conversa. Você pode solicitar "
        "confirmação, acesso, correção, anonimização, eliminação, portabilidade e revogar o consentimento, e "
        "peticionar à {authority}. Revogue a qualquer momento respondendo PARAR.",
    ),
}

DEMO_NOTICES = [("GDPR", lang) for lang in ("en", "de", "nl", "it")] + [("LGPD", "pt-br"), ("LGPD", "en")]

DEMO_SUBJECTS = [
    # kind, value (fictional numbers from reserved ranges), name, story
    ("whatsapp", "+4915550000001", "Demo Kundin", "confirmed"),
    ("whatsapp", "+5511900000001", "Cliente Demonstração", "withdrawn"),
]


DEMO_WATCH_TERMS = [
    ("finding", "payment_card", "high"),
    ("finding", "iban", "high"),
    ("finding", "health", "medium"),
    ("term", "Anwalt", "medium"),
    ("term", "lawyer", "medium"),
    ("term", "advogado", "medium"),
    ("pattern", r"chargeback|r[üu]ckbuchung|estorno|terugboeking|storno", "low"),
]


class Command(BaseCommand):
    help = "Load demo users, teams, purposes, privacy notices and two demo customers (idempotent)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo creates users with public passwords; it runs only with DEBUG on")
        with transaction.atomic():
            users = self._users()
            self._teams(users)
            self._purposes()
            self._notices()
            self._subjects()
            self._watch_terms(users)
            self._programme()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/admin/ with:"))
        for username, password, role, _, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {password:<22} ({role})")

    def _programme(self) -> None:
        """A demo controller and the authority of its establishment (the ANPD and Meta come with the
        migrations); kept as the DPO left them on a second run."""
        if Controller.current() is None:
            Controller(
                name="Demo Shop GmbH", address="Musterstraße 1\n10115 Berlin\nGermany", email="hello@shop.example",
                website="https://shop.example", dpo_name="Dana Datenschutz", dpo_email="dpo@shop.example",
            ).save()  # fmt: skip
        SupervisoryAuthority.objects.get_or_create(
            jurisdiction="GDPR",
            defaults={"name": "Berliner Beauftragte für Datenschutz und Informationsfreiheit",
                      "address": "Alt-Moabit 59-61\n10555 Berlin\nGermany",
                      "website": "https://www.datenschutz-berlin.de", "email": "mailbox@datenschutz-berlin.de"},
        )  # fmt: skip

    def _users(self) -> dict:
        user_model = get_user_model()
        users = {}
        for username, password, role, staff, superuser in DEMO_USERS:
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"is_staff": staff, "is_superuser": superuser}
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        return users

    def _teams(self, users: dict) -> None:
        for name, slug, default in (("Customer care", "customer-care", True), ("Billing", "billing", False)):
            team = Team.objects.filter(slug=slug).first() or conversation_services.team_create(
                name=name, slug=slug, is_default=default, actor=users["admin"]
            )
            for shortcut, title, bodies in DEMO_CANNED:
                for language, body in bodies.items():
                    if not CannedResponse.objects.filter(team=team, shortcut=shortcut, language=language).exists():
                        conversation_services.canned_response_create(
                            team=team, shortcut=shortcut, language=language, title=title, body=body,
                            actor=users["admin"],
                        )  # fmt: skip
            conversation_services.team_member_add(team=team, user=users["agent"], actor=users["admin"])
            conversation_services.team_member_add(
                team=team, user=users["supervisor"], role=TeamMembership.Role.SUPERVISOR, actor=users["admin"]
            )

    def _watch_terms(self, users: dict) -> None:
        """What the demo DPO wants to be told about; Billing keeps only the masked form of numbers."""
        billing = Team.objects.get(slug="billing")
        if billing.sensitive_policy != "redact":
            conversation_services.team_set_sensitive_policy(
                team=billing, policy="redact", actor=users["dpo"], reason="demo: billing never keeps card numbers"
            )
        for kind, value, severity in DEMO_WATCH_TERMS:
            if not WatchTerm.objects.filter(kind=kind, value=value).exists():
                conversation_services.watch_term_create(actor=users["dpo"], kind=kind, value=value, severity=severity)

    def _purposes(self) -> None:
        for spec in DEMO_PURPOSES:
            if not Purpose.objects.filter(code=spec["code"]).exists():
                consent_services.purpose_create(**spec, actor=None)

    def _notices(self) -> None:
        from consent.jurisdictions import JURISDICTIONS

        for jurisdiction, language in DEMO_NOTICES:
            if PrivacyNotice.objects.filter(
                jurisdiction=jurisdiction, language=language, published_at__isnull=False
            ).exists():
                continue
            title, text = _NOTICE_TEXT[language]
            notice = consent_services.notice_create(
                language=language,
                jurisdiction=jurisdiction,
                title=title,
                text=text.format(authority=JURISDICTIONS[jurisdiction].authority),
                actor=None,
            )
            consent_services.notice_publish(notice=notice, actor=None)

    def _subjects(self) -> None:
        marketing = Purpose.objects.get(code="marketing-whatsapp")
        for kind, value, name, story in DEMO_SUBJECTS:
            subject, created = consent_services.subject_get_or_create_by_contact(
                kind=kind, value=value, display_name=name, actor=None
            )
            if not created:
                continue
            notice = notice_current(language=subject.language, jurisdiction=subject.jurisdiction)
            consent_services.consent_request(
                subject=subject, purpose=marketing, channel=ConsentChannel.WHATSAPP, notice=notice,
                evidence=consent_services.Evidence(keyword="START"),
            )  # fmt: skip
            consent_services.consent_confirm(
                subject=subject, purpose=marketing, channel=ConsentChannel.WHATSAPP,
                evidence=consent_services.Evidence(keyword="YES" if subject.language != "pt-br" else "SIM"),
            )  # fmt: skip
            if story == "withdrawn":
                consent_services.consent_withdraw(
                    subject=subject, purpose=marketing, channel=ConsentChannel.WHATSAPP,
                    evidence=consent_services.Evidence(keyword="PARAR"),
                )  # fmt: skip
