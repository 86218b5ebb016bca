"""The personal-data registry: every app's declarations, discovered at start-up (DESIGN decision 3).

Each installed app may have a ``personal_data`` module with a ``PERSONAL_DATA`` list of
``consent.declarations.PersonalData``. ``discover`` imports them once (``RetentionConfig.ready``), as the admin
discovers ``admin.py``; export, erasure and purge work from ``declarations()`` alone and never name another
app's models.
"""

from importlib import import_module

from django.apps import apps
from django.db.models import Model, QuerySet
from django.utils.module_loading import module_has_submodule

from consent.declarations import Category, PersonalData

_declarations: list[PersonalData] = []


def discover() -> None:
    found: list[PersonalData] = []
    for app_config in apps.get_app_configs():
        if module_has_submodule(app_config.module, "personal_data"):
            module = import_module(f"{app_config.name}.personal_data")
            found.extend(module.PERSONAL_DATA)
    labels = [d.model for d in found]
    duplicated = {label for label in labels if labels.count(label) > 1}
    if duplicated:
        raise ValueError(f"declared twice: {', '.join(sorted(duplicated))}")
    _declarations[:] = found


def declarations() -> tuple[PersonalData, ...]:
    return tuple(_declarations)


def model_of(declaration: PersonalData) -> type[Model]:
    return apps.get_model(declaration.model)


def declared_models() -> set[type[Model]]:
    return {model_of(d) for d in _declarations}


def of_category(category: Category | str) -> list[PersonalData]:
    return [d for d in _declarations if d.category == category]


def subject_rows(declaration: PersonalData, subject_pk: int) -> QuerySet:
    """The rows of ``declaration`` that belong to the subject."""
    if declaration.rows is not None:
        return declaration.rows(subject_pk)
    return model_of(declaration)._default_manager.filter(**{declaration.subject: subject_pk})


def history_model(declaration: PersonalData) -> type[Model] | None:
    """The simple-history model of a declared model that keeps history."""
    return model_of(declaration).history.model if declaration.history else None


def erasure_order() -> list[PersonalData]:
    """Dependants before what they depend on: rows found through other rows first (they are looked up from
    the messages), then by how far the path to the subject is, the subject itself last."""

    def depth(declaration: PersonalData) -> int:
        if declaration.rows is not None:
            return 99
        return -1 if declaration.subject == "pk" else declaration.subject.count("__")

    return sorted(_declarations, key=depth, reverse=True)
