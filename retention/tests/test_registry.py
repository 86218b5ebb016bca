"""The personal-data registry covers every model that holds personal data: a new one cannot be forgotten."""

from django.apps import apps
from django.db import models

from consent.declarations import Category, Erasure
from consent.models import Subject
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
