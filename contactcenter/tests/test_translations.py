"""The project's translation catalogues: every text in de, nl, it and pt-BR, written for that language."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LANGUAGES = {"de": "de", "nl": "nl", "it": "it", "pt_BR": "pt-br"}


def _entries(po: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry but the header."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = "#, fuzzy" in block
        parts = re.split(r"^(msgid|msgstr) ", block, flags=re.M)
        fields = dict(zip(parts[1::2], parts[2::2], strict=True))
        if "msgid" not in fields:
            continue
        # A PO string is a run of C-quoted lines: Python reads those quotes the same way.
        text = {k: "".join(ast.literal_eval(q) for q in re.findall(r'"(?:[^"\\]|\\.)*"', v)) for k, v in fields.items()}
        if text["msgid"]:
            entries.append((text["msgid"], text["msgstr"], fuzzy))
    return entries


@pytest.mark.parametrize("locale_dir", sorted(LANGUAGES))
def test_every_text_is_translated_and_served(locale_dir):
    po = Path(settings.LOCALE_PATHS[0]) / locale_dir / "LC_MESSAGES" / "django.po"
    entries = _entries(po)
    assert entries, po
    for msgid, msgstr, fuzzy in entries:
        assert msgstr and not fuzzy, f"{locale_dir}: {msgid!r} has no translation"
        assert msgstr != msgid, f"{locale_dir}: {msgid!r} is English inside the translation"
        with translation.override(LANGUAGES[locale_dir]):
            assert translation.gettext(msgid) == msgstr, f"{locale_dir}: {msgid!r} is not compiled (make messages)"


@pytest.mark.parametrize("locale_dir", sorted(LANGUAGES))
def test_every_text_of_the_javascript_catalogue_is_translated_and_compiled(locale_dir):
    """The inbox's JavaScript strings (``djangojs``, served by ``/inbox/jsi18n/``)."""
    import gettext as gnu_gettext

    po = Path(settings.LOCALE_PATHS[0]) / locale_dir / "LC_MESSAGES" / "djangojs.po"
    entries = _entries(po)
    assert entries, po
    compiled = gnu_gettext.translation("djangojs", settings.LOCALE_PATHS[0], [locale_dir])
    for msgid, msgstr, fuzzy in entries:
        assert msgstr and not fuzzy, f"{locale_dir}: {msgid!r} has no translation"
        assert msgstr != msgid, f"{locale_dir}: {msgid!r} is English inside the translation"
        assert compiled.gettext(msgid) == msgstr, f"{locale_dir}: {msgid!r} is not compiled (make messages)"


def test_every_text_of_the_inbox_javascript_is_in_the_javascript_catalogue(tmp_path):
    """``gettext("…")`` and ``t("…")`` in the inbox's scripts; a text missing from djangojs.po shows in English."""
    import subprocess

    scripts = sorted((Path(settings.BASE_DIR) / "conversations" / "static" / "inbox").glob("*.js"))
    pot = tmp_path / "js.pot"
    subprocess.run(
        ["xgettext", "--language=JavaScript", "--from-code=UTF-8", "--keyword=gettext", "--keyword=t",
         "-o", str(pot), *map(str, scripts)],
        check=True, capture_output=True,
    )  # fmt: skip
    marked = {msgid for msgid, _, _ in _entries(pot)}
    assert len(marked) > 50  # the inbox's own texts were found
    for locale_dir in LANGUAGES:
        po = Path(settings.LOCALE_PATHS[0]) / locale_dir / "LC_MESSAGES" / "djangojs.po"
        assert marked - {msgid for msgid, _, _ in _entries(po)} == set(), locale_dir


def test_all_five_languages_have_a_catalogue():
    found = {path.parent.parent.name for path in Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po")}
    assert found == set(LANGUAGES)


def test_every_text_marked_for_translation_is_in_the_catalogues(tmp_path):
    """A text marked with _() or {% trans %} but missing from the catalogues would show in English: run
    ``manage.py makemessages`` (see README) and translate it."""
    import subprocess

    from django.utils.translation.template import templatize

    root = Path(settings.BASE_DIR)
    apps = ("consent", "conversations", "retention", "contactcenter", "devtools", "sensitive")
    sources = [p for top in apps for p in (root / top).rglob("*.py") if not {"tests", "migrations"} & set(p.parts)]
    for template in (root / "templates").rglob("*.html"):
        converted = tmp_path / (template.name + ".py")
        converted.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)), encoding="utf-8")
        sources.append(converted)
    pot = tmp_path / "all.pot"
    subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--keyword=_", "--keyword=gettext",
         "--keyword=gettext_lazy", "--keyword=gettext_noop", "--keyword=pgettext:1c,2", "-o", str(pot),
         *map(str, sources)],
        check=True, capture_output=True,
    )  # fmt: skip
    marked = {msgid for msgid, _, _ in _entries(pot)}
    catalogued = {
        msgid for msgid, _, _ in _entries(Path(settings.LOCALE_PATHS[0]) / "de" / "LC_MESSAGES" / "django.po")
    }
    assert marked - catalogued == set()
