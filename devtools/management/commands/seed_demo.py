"""Demo data for a newcomer's ``make run``. Idempotent: running it again changes nothing.

Refuses to run with DEBUG off: the demo passwords are printed and public.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from consent import services as consent_services
from consent.models import ConsentChannel, PrivacyNotice, Purpose
from consent.public_links import public_url
from consent.selectors import notice_current
from contactcenter import roles
from contactcenter.models import Controller, Recipient, SupervisoryAuthority
from contactcenter.statements import statement_publish
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
        "legitimate_interest": {
            "en": "Answering customers quickly and reliably; we look only at counts and times, never at you alone.",
            "de": "Kundinnen und Kunden schnell und zuverlässig zu antworten; wir betrachten nur Anzahlen und "
            "Zeiten, nie Sie als Einzelperson.",
            "nl": "Klanten snel en betrouwbaar te antwoorden; we kijken alleen naar aantallen en tijden, nooit naar "
            "u als persoon.",
            "it": "Rispondere ai clienti in modo rapido e affidabile; consideriamo solo numeri e tempi, mai lei "
            "come singola persona.",
            "pt-br": "Responder aos clientes com rapidez e confiabilidade; olhamos apenas contagens e tempos, nunca "
            "para você individualmente.",
        },
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
    help = (
        "Load demo users, teams, purposes, the privacy programme and its generated statement, and two demo "
        "customers (idempotent)."
    )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo creates users with public passwords; it runs only with DEBUG on")
        with transaction.atomic():
            users = self._users()
            self._teams(users)
            self._purposes()
            self._programme()
            self._statement(users)
            self._subjects()
            self._watch_terms(users)
        inbox, admin = public_url(reverse("inbox:index")), public_url(reverse("admin:index"))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Sign in at {inbox} (agents) or {admin} with:"))
        for username, password, role, _, _ in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {password:<22} ({role})")

    def _programme(self) -> None:
        """A demo controller and the authority of its establishment (the ANPD and Meta come with the
        migrations); kept as the DPO left them on a second run."""
        if Controller.current() is None:
            Controller(
                name="Demo Shop GmbH", address="Musterstraße 1\n10115 Berlin\nGermany", email="hello@shop.example",
                website="https://shop.example", dpo_name="Dana Datenschutz", dpo_email="dpo@shop.example",
                whatsapp_number="+4930555000100", response_hours=2,
                business_hours={day: ["09:00", "17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
            ).save()  # fmt: skip
        # The shipped Meta entry, as the demo DPO reviewed it (a statement names no recipient never reviewed).
        for recipient in Recipient.objects.filter(last_reviewed__isnull=True, active=True):
            recipient.last_reviewed = timezone.localdate()
            # Meta relies on the ANPD's standard contractual clauses for data from Brazil (the demo DPO checked).
            recipient.lgpd_transfer_mechanism = recipient.lgpd_transfer_mechanism or "scc"
            recipient.save(update_fields=["last_reviewed", "lgpd_transfer_mechanism"])
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
            purpose = Purpose.objects.filter(code=spec["code"]).first()
            if purpose is None:
                consent_services.purpose_create(**spec, actor=None)
            elif spec.get("legitimate_interest") and not purpose.legitimate_interest:
                # A demo database from before the statement was generated.
                purpose.legitimate_interest = spec["legitimate_interest"]
                consent_services.purpose_update(purpose=purpose, actor=None, reason="demo: the interest pursued")

    def _statement(self, users: dict) -> None:
        """The privacy statement, generated from the demo's programme and published once (in every language and
        jurisdiction); a later run leaves what the DPO published since."""
        if not PrivacyNotice.objects.filter(published_at__isnull=False).exclude(document="").exists():
            statement_publish(actor=users["dpo"])

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
