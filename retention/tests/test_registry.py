"""The personal-data registry covers every model that holds personal data: a new one cannot be forgotten."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from consent.declarations import Category, Erasure
from consent.models import Subject
from consent.services import contact_point_change
from conversations.models import Attachment, EarlyStatus
from conversations.providers.base import StatusUpdate
from conversations.services import message_status_update
from conversations.services.media import fetch_attachment
from conversations.services.outbound import deliver_message
from conversations.tests.factories import MessageFactory
from retention import registry


def _reaches(model: type[models.Model], targets: set[type[models.Model]]) -> bool:
    return any(
        field.is_relation and (field.many_to_one or field.one_to_one) and field.related_model in targets
        for field in model._meta.get_fields()
        if getattr(field, "concrete", False)
    )


def _reaching_a_subject() -> set[type[models.Model]]:
    """Models with a foreign key to the subject, or to something that has one (a conversation, a message ...)."""
    reached: set[type[models.Model]] = {Subject}
    while True:
        more = {m for m in apps.get_models() if m not in reached and _reaches(m, reached)}
        if not more:
            return reached
        reached |= more


def _with_ciphertext() -> set[type[models.Model]]:
    return {
        model
        for model in apps.get_models()
        if any(isinstance(f, models.BinaryField) and f.name.endswith("_enc") for f in model._meta.concrete_fields)
    }


def test_every_model_that_reaches_a_subject_or_holds_its_ciphertext_is_declared():
    declared = registry.declared_models()
    histories = {registry.history_model(d) for d in registry.declarations() if d.history}
    missing = sorted(
        model._meta.label
        for model in _reaching_a_subject() | _with_ciphertext()
        if model not in declared and model not in histories
    )
    assert missing == [], f"not in any app's personal_data.py: {missing}"


def test_what_no_foreign_key_ties_to_a_subject_is_declared_too():
    labels = {d.model for d in registry.declarations()}
    assert {"conversations.EarlyStatus", "django_tasks_database.DBTaskResult", "consent.LegalHold"} <= labels


def test_history_is_declared_wherever_a_declared_model_keeps_it():
    for declaration in registry.declarations():
        keeps_history = hasattr(registry.model_of(declaration), "history")
        assert keeps_history == declaration.history, declaration.model


def test_every_category_is_declared_and_what_is_kept_says_why():
    categories = {d.category for d in registry.declarations()}
    assert categories >= set(Category) - {Category.SUBJECT_REQUESTS}  # requests come with the next issue
    for declaration in registry.declarations():
        if declaration.erasure == Erasure.KEEP_PSEUDONYMOUS:
            assert "Art." in declaration.kept_because, declaration.model


def _rows(category: str, subject: Subject) -> set:
    [declaration] = registry.of_category(category)
    return set(registry.subject_rows(declaration, subject.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_early_statuses_and_task_rows_are_found_for_their_subject_only(settings):
    """No foreign key ties them to a subject: an early status is hers by its recipient's blind index (no stored
    message may ever carry its id) or by one of her messages' ids; a task row by the message or attachment id in
    its arguments (looked up with subqueries, on SQLite and PostgreSQL alike)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    hers = MessageFactory(conversation__subject__value="4915100000071", provider_message_id="wamid.hers")
    his = MessageFactory(conversation__subject__value="4915100000072", provider_message_id="wamid.his")
    her, him = hers.conversation.subject, his.conversation.subject
    picture = Attachment.objects.create(message=hers, provider_media_id="media-1")
    tasks = {
        "her send": deliver_message.enqueue(message_id=hers.pk).id,
        "her picture": fetch_attachment.enqueue(attachment_id=picture.pk).id,
        "his send": deliver_message.enqueue(message_id=his.pk).id,
    }

    def status(wamid: str, recipient: str = "") -> int:
        message_status_update(update=StatusUpdate(provider="whatsapp", provider_message_id=wamid, status="read",
                                                  timestamp=timezone.now(), recipient=recipient))  # fmt: skip
        return EarlyStatus.objects.get(provider_message_id=wamid).pk

    by_number = status("wamid.unclaimed", recipient="+49 151 00000071")  # written as a person would: normalised
    by_id = status("wamid.hers.early")
    EarlyStatus.objects.filter(pk=by_id).update(provider_message_id="wamid.hers")  # kept before the index existed
    his_early = status("wamid.his.unclaimed", recipient="4915100000072")
    nobodys = status("wamid.nobody", recipient="not a number")

    assert EarlyStatus.objects.get(pk=nobodys).recipient_index == ""
    assert _rows(Category.EARLY_STATUSES, her) == {by_number, by_id}
    # She moves to a new number: what went to the old one is still hers (her contact point's history rows).
    contact_point_change(contact_point=her.contact_points.get(), value="4915100000073", actor=None, reason="moved")
    by_new_number = status("wamid.unclaimed.new", recipient="4915100000073")
    assert _rows(Category.EARLY_STATUSES, her) == {by_number, by_id, by_new_number}
    assert _rows(Category.EARLY_STATUSES, him) == {his_early}
    assert {str(pk) for pk in _rows(Category.BACKGROUND_TASKS, her)} == {tasks["her send"], tasks["her picture"]}
    assert {str(pk) for pk in _rows(Category.BACKGROUND_TASKS, him)} == {tasks["his send"]}
