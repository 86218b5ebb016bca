"""Form fields per language (en, de, nl, it, pt-br) for a JSON field the admin edits one language at a time.

The admin lays a form out from the fields its class declares: fields added in ``__init__`` are neither shown
nor accepted. ``language_fields`` declares them on the class, so the admin shows one input per language.
"""

from collections.abc import Callable

from django import forms

from consent.jurisdictions import LANGUAGE_CHOICES


def language_fields(form: type[forms.BaseForm], prefix: str, make: Callable[[str, str], forms.Field]) -> None:
    """Declare ``<prefix>_<language>`` on ``form``, made by ``make(code, native name)``."""
    for code, name in LANGUAGE_CHOICES:
        field = make(code, name)
        form.base_fields[f"{prefix}_{code}"] = field
        form.declared_fields[f"{prefix}_{code}"] = field


def language_initial(form: forms.BaseForm, prefix: str, values: object) -> None:
    """Fill the per-language inputs from the stored mapping (a new object: empty)."""
    values = values if isinstance(values, dict) else {}
    for code, _name in LANGUAGE_CHOICES:
        form.fields[f"{prefix}_{code}"].initial = values.get(code, "")


class FieldsAddedInInit:
    """For a ModelAdmin whose form adds fields in ``__init__`` (one per language or jurisdiction): the form
    class is built from its ``Meta.fields`` (Django refuses names it does not know yet), and the page is laid
    out from the admin's ``fieldsets``, which name the added fields too."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = [
            name for name in self.form._meta.fields if name not in self.get_readonly_fields(request, obj)
        ]
        return super().get_form(request, obj, change=change, **kwargs)
