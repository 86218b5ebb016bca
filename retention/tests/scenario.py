"""A customer who left every kind of trace, through the real services: the erasure and export tests' world.

Wilhelmine writes on WhatsApp (text with a card number, a location, a contact card, a picture that is fetched
and stored), agrees to and withdraws marketing, is answered, masked data of hers is revealed with a reason, a
note is written, a watch term raises an alert, the conversation is reassigned (history rows). A second answer
waits for the database worker (a task row naming it), and Meta's delivery status for a message of hers overtakes
the send that would store its id (an early status, found by her number's blind index). Otto, another customer,
writes too: his data must survive her erasure whole. Every value below is unique, so a search of a database dump
for it finds only her.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.test import override_settings

from consent import services as consent_services
from consent.declarations import Category
from consent.models import Subject
from conversations import services
from conversations.providers.base import InboundMessage, MediaRef
from conversations.providers.whatsapp.parser import parse_webhook
from devtools.fakegraph import status_value, webhook_envelope

NAME = "Wilhelmine Zauberstab"
PHONE = "4915198765432"
TEXT = "Mein Paket mit der Geheimzutat Q7Z ist nicht da, Karte 4111 1111 1111 1111"
PLACE = "Zauberweg 7, Hexenhausen"
CARD_NAME = "Kasimir Kuckuck"
CAPTION = "Foto vom Karton K9X"
NOTE = "Ruft nur nach 17 Uhr an, Zebra-Pinguin"
REVEAL_REASON = "Wilhelmine will ihre Kartennummer pruefen"
PICTURE = b"\xff\xd8\xff\xe0JFIF-Lieferschein-P4X-" + bytes(range(256)) * 8
LATER = "Ein Kollege ruft Sie an, Stichwort Walross-Trompete"
EARLY = 7  # the wamid number of the message whose status arrives before any stored message has its id
OTTO = "Otto Ottensen"
OTTO_PHONE = "4915112121212"
OTTO_TEXT = "Ottos Frage zur Rechnung R55"


def wamid(n: int, phone: str = PHONE) -> str:
    """A WhatsApp message id as Meta makes them: base64 of bytes that hold the customer's number."""
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x11\x18\x0d" + phone.encode() + b"\x15\x02" + bytes([n])).decode()


# Values that must not be found anywhere once Wilhelmine is erased. ("Geheimzutat" alone stays: it is the DPO's
# watch term, configuration, not her data.)
SECRETS = [NAME, PHONE, TEXT, PLACE, CARD_NAME, CAPTION, NOTE, "Zebra-Pinguin", REVEAL_REASON, LATER]


@dataclass
class World:
    wilhelmine: Subject
    otto: Subject
    agent: object
    dpo: object
    wamids: list[str]


def _inbound(n: int, *, type: str = "text", text: str = "", content: dict | None = None, media=None,
             phone: str = PHONE, name: str = NAME) -> InboundMessage:  # fmt: skip
    return InboundMessage(
        provider="whatsapp", provider_message_id=wamid(n, phone), contact_kind="whatsapp", sender=phone,
        timestamp=datetime.now(tz=UTC), type=type, text=text, content=content or {}, media=media, profile_name=name,
    )  # fmt: skip


def build(*, media_id: str, user_model) -> World:
    """Everything, committed (each service runs its own transaction): callers give a fake Graph API that
    serves ``media_id``."""
    for role in ("Agent", "DPO"):
        Group.objects.get_or_create(name=role)
    agent = user_model.objects.create_user("anton", password="x-test-password-1")
    agent.groups.add(Group.objects.get(name="Agent"))
    dpo = user_model.objects.create_user("doris", password="x-test-password-1", is_staff=True)
    dpo.groups.add(Group.objects.get(name="DPO"))
    team = services.team_create(name="Care", slug="care", is_default=True, auto_assign=False, actor=None)
    services.team_member_add(team=team, user=agent, actor=None)
    services.watch_term_create(actor=dpo, kind="term", value="Geheimzutat", severity="high")
    marketing = consent_services.purpose_create(
        code="offers", name={lang: f"Offers {lang}" for lang in ("en", "de", "nl", "it", "pt-br")},
        description={lang: f"Weekly offers {lang}" for lang in ("en", "de", "nl", "it", "pt-br")},
        legal_bases={"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"}, is_marketing=True, actor=None,
    )  # fmt: skip
    for jurisdiction, language in (("GDPR", "de"), ("GDPR", "en"), ("LGPD", "pt-br")):
        notice = consent_services.notice_create(
            language=language, jurisdiction=jurisdiction, title=f"Notice {language}", text="text", actor=None
        )
        consent_services.notice_publish(notice=notice, actor=None)

    first = services.ingest(inbound=_inbound(1, text=TEXT)).message
    services.ingest(inbound=_inbound(2, type="location", content={"location": {"name": PLACE, "latitude": 1.5}}))
    card = {"contacts": [{"name": {"formatted_name": CARD_NAME}}]}
    services.ingest(inbound=_inbound(3, type="contacts", content=card))
    picture = MediaRef(media_id=media_id, mime_type="image/jpeg")
    services.ingest(inbound=_inbound(4, type="image", text=CAPTION, media=picture))
    services.ingest(inbound=_inbound(5, text="START"))
    services.ingest(inbound=_inbound(6, text="STOP"))
    conversation = first.conversation
    services.conversation_assign(conversation=conversation, agent=agent, actor=agent, reason="mine")
    services.message_reply(conversation=conversation, actor=agent, text="Wir schauen nach.")
    # Production's path: the answer is queued for the database worker, its task row names the message.
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        services.message_reply(conversation=conversation, actor=agent, text=LATER)
    # A delivery status for a message to her whose id no stored message carries (the send has not recorded it):
    # the webhook's parser and status service keep it early.
    status = status_value(message_id=wamid(EARLY), status="delivered", recipient=PHONE, phone_number_id="1")
    with transaction.atomic():
        services.message_status_update_many(updates=parse_webhook(webhook_envelope(status)).statuses)
    services.note_add(conversation=conversation, actor=agent, body=NOTE)
    services.message_reveal(message=first, actor=agent, reason=REVEAL_REASON)

    services.ingest(inbound=_inbound(1, text=OTTO_TEXT, phone=OTTO_PHONE, name=OTTO))
    assert marketing.pk
    subjects = {s.display_name: s for s in Subject.objects.all()}
    return World(
        wilhelmine=subjects[NAME], otto=subjects[OTTO], agent=agent, dpo=dpo,
        wamids=[wamid(n) for n in range(1, EARLY + 1)],
    )  # fmt: skip


def categories_of_wilhelmine() -> set[str]:
    """What the scenario must have produced for her (checked before erasing, so the test proves something)."""
    return {Category.IDENTITY, Category.CONTACT_POINTS, Category.CONVERSATIONS, Category.MESSAGES, Category.MEDIA,
            Category.NOTES, Category.SENSITIVE_ALERTS, Category.CONSENT_EVIDENCE, Category.ACCESS_LOG,
            Category.REALTIME_EVENTS, Category.EARLY_STATUSES, Category.BACKGROUND_TASKS}  # fmt: skip
