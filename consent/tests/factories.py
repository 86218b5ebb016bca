"""Test data for consent: subjects with a contact point, purposes, published notices, staff users in a role.

Subjects, purposes and notices are built through ``consent.services`` (their ``_create`` calls the service), so
a test's subject has its data key and its encrypted name, and its history says who made it, exactly as in
production. No randomness: unique values come from sequences, so a failing test fails the same way again.
The fake names and numbers are the ones the tests always used; nothing here is anybody's personal data.
"""

import factory
from django.conf import settings
from django.contrib.auth.models import Group

from consent import services
from consent.jurisdictions import LANGUAGES
from consent.models import PrivacyNotice, Purpose, Subject

# Legal bases in both jurisdictions: the customer's consent, or what answering their request needs (contract).
CONSENT = {"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"}
CONTRACT = {"GDPR": "gdpr-6-1-b", "LGPD": "lgpd-7-v"}


def texts(prefix: str) -> dict[str, str]:
    """A text in every language a purpose must speak, each telling which it is."""
    return {lang: f"{prefix} ({lang})" for lang in LANGUAGES}


def _contact_value(subject, n: int) -> str:
    # A German mobile number (+49 151 2345…) or a web-chat visitor id; tests check the number is only ever
    # shown masked, so it keeps the prefix they look for. Modulo: eight digits stay a valid number.
    return f"visitor-{n}" if subject.kind == "webchat" else f"+49 151 2345{n % 10000:04d}"


class SubjectFactory(factory.Factory):
    """A data subject and its first contact point (``subject.first_contact``), through ``subject_create``.

    Country, jurisdiction and language follow the number, as for a customer's first message.
    """

    class Meta:
        model = Subject

    kind = "whatsapp"
    value = factory.LazyAttributeSequence(_contact_value)
    display_name = "Erika Muster"
    language = None

    @classmethod
    def _create(cls, model_class, **kwargs) -> Subject:
        return services.subject_create(actor=None, **kwargs)


class PurposeFactory(factory.Factory):
    """A purpose with a valid basis in every jurisdiction (consent unless ``contract=True``), through
    ``purpose_create``; ``label`` and ``about`` become its name and description in every language."""

    class Meta:
        model = Purpose

    class Params:
        label = "Purpose"
        about = "What it is for"
        contract = factory.Trait(legal_bases=factory.Dict(CONTRACT))

    code = factory.Sequence(lambda n: f"purpose-{n}")
    name = factory.LazyAttribute(lambda purpose: texts(purpose.label))
    description = factory.LazyAttribute(lambda purpose: texts(purpose.about))
    legal_bases = factory.Dict(CONSENT)  # a new dict each time: a test may change its purpose's
    is_marketing = False
    requires_double_opt_in = False

    @classmethod
    def _create(cls, model_class, **kwargs) -> Purpose:
        return services.purpose_create(actor=None, **kwargs)


class NoticeFactory(factory.Factory):
    """A privacy notice, published unless ``published=False``: ``notice_create`` then ``notice_publish``, the
    steps the DPO takes (the next version of its language and jurisdiction, its content hash fixed)."""

    class Meta:
        model = PrivacyNotice

    language = "en"
    jurisdiction = "GDPR"
    title = factory.LazyAttribute(lambda notice: f"Notice {notice.language}")
    text = factory.LazyAttribute(lambda notice: f"Text {notice.language}")
    published = True

    @classmethod
    def _create(cls, model_class, *, published: bool, **kwargs) -> PrivacyNotice:
        notice = services.notice_create(actor=None, **kwargs)
        return services.notice_publish(notice=notice, actor=None) if published else notice


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user who can log in (``password``), in the role group named by ``role`` (``contactcenter.roles``;
    the groups come from a data migration) or in none. ``is_staff`` opens the admin."""

    class Meta:
        model = settings.AUTH_USER_MODEL

    username = factory.Sequence(lambda n: f"user{n}")
    password = "x-test-password-1"
    is_staff = False
    role = None

    @classmethod
    def _create(cls, model_class, *, password: str, role: str | None, **kwargs):
        user = model_class.objects.create_user(password=password, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user
