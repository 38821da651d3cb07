"""The Spanish catalogue: complete, reviewed (nothing fuzzy), compiled, and faithful to its
placeholders; and no template text left outside the translation tags."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES"
PO = LOCALE / "django.po"
MO = LOCALE / "django.mo"
TEMPLATES = Path(settings.BASE_DIR) / "templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfg]|%[sd]|\{\{\s*\w+\s*\}\}")


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def po_entries() -> list[dict]:
    """Each entry of the .po as {"flags", "msgctxt", "msgid", "msgid_plural", "msgstr"}."""
    entries, entry, field = [], None, None
    for raw in [*PO.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field] += _unquote(line)
        else:
            keyword, value = line.split(" ", 1)
            match = re.fullmatch(r"msgstr\[(\d)\]", keyword)
            if match:
                field = ("msgstr", int(match[1]))
                entry["msgstr"][field[1]] = _unquote(value)
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                entry["msgstr"][0] = _unquote(value)
            else:
                field = keyword
                entry[field] = _unquote(value)
    return [entry for entry in entries if entry.get("msgid")]


@pytest.fixture(scope="module")
def entries():
    return po_entries()


def test_catalogue_has_the_interface(entries):
    assert len(entries) > 800


def test_no_translation_is_empty(entries):
    empty = [entry["msgid"] for entry in entries if not all(entry["msgstr"].values())]
    assert not empty


def test_no_translation_is_fuzzy(entries):
    assert not [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    header = PO.read_text(encoding="utf-8").split('msgid ""')[0]
    assert "fuzzy" not in header


def test_plurals_have_every_spanish_form(entries):
    plurals = [entry for entry in entries if entry["msgid_plural"] is not None]
    assert plurals
    assert all(sorted(entry["msgstr"]) == [0, 1, 2] for entry in plurals)


def test_translations_keep_every_placeholder(entries):
    for entry in entries:
        wanted = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for form in entry["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(form)) == wanted, entry["msgid"]


def test_translations_keep_every_html_tag(entries):
    tag = re.compile(r"</?\w+[^>]*>")
    for entry in entries:
        for form in entry["msgstr"].values():
            assert sorted(tag.findall(form)) == sorted(tag.findall(entry["msgid"])), entry["msgid"]


def test_compiled_catalogue_matches_the_po_file(entries):
    with MO.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    for entry in entries:
        key = entry["msgid"]
        if entry["msgctxt"] is not None:
            key = f"{entry['msgctxt']}\x04{key}"
        if entry["msgid_plural"] is None:
            assert catalogue.get(key) == entry["msgstr"][0], entry["msgid"]
        else:
            assert catalogue.get((key, 2)) == entry["msgstr"][2], entry["msgid"]


def test_compiled_catalogue_is_committed_alongside_the_po_file():
    ignored = (Path(settings.BASE_DIR) / ".gitignore").read_text()
    assert MO.exists()
    assert not re.search(r"^\*?\.mo$|^\*\.mo\b", ignored, re.MULTILINE)


def _template_text(source: str) -> list[str]:
    """Words a reader would see that no {% translate %} or {% blocktranslate %} covers."""
    source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
    source = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", source, flags=re.S)
    source = re.sub(r"{%.*?%}|{{.*?}}", "", source, flags=re.S)
    source = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.S)
    words = []
    for attribute in re.findall(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"', source):
        words.append(attribute)
    source = re.sub(r"<[^>]+>", " ", source)
    words.extend(line.strip() for line in source.splitlines())
    return [text for text in words if re.search(r"[A-Za-z]{3,}", text)]


@pytest.mark.parametrize(
    "template",
    sorted(
        path for path in TEMPLATES.rglob("*") if path.suffix in {".html", ".txt"} and path.is_file()
    ),
    ids=lambda path: str(path.relative_to(TEMPLATES)),
)
def test_template_has_no_text_outside_translation_tags(template):
    leftovers = _template_text(template.read_text(encoding="utf-8"))
    # The admin template's body class names are not words a reader sees.
    leftovers = [text for text in leftovers if not text.startswith("app-")]
    assert not leftovers
