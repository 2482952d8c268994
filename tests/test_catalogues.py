"""The interface catalogues: every string of the code and templates is extracted, and
every catalogue translates each one, with the source's placeholders and its language's
plural forms. Nothing reaches a learner half in English by accident."""
from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from babel.messages.checkers import num_plurals, python_format
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "lms" / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdif]|%[sdif]|%%")


def _ids(catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.mark.slow
def test_the_template_holds_every_string_of_the_code_and_templates(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([str(ROOT / ".venv/bin/pybabel"), "extract", "-F", "babel.cfg",
                    "-k", "_l", "-k", "lazy_gettext", "--ignore-dirs=.* instance", "-o",
                    str(fresh), "."], cwd=ROOT, check=True, capture_output=True)
    committed = _ids(read_po((TRANSLATIONS / "messages.pot").open("rb")))
    extracted = _ids(read_po(fresh.open("rb")))
    assert extracted - committed == set(), "run `make messages`: strings not extracted"
    assert committed - extracted == set(), "run `make messages`: strings no longer used"


def test_the_extraction_covers_every_folder_with_strings():
    config = (ROOT / "babel.cfg").read_text()
    for pattern in ("lms/**.py", "templates/**.html", "templates/mail/**.txt",
                    "templates/mail/**.subject", "certificates/**.html"):
        assert f": {pattern}]" in config, pattern


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_a_catalogue_translates_every_string_with_its_placeholders(path):
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    catalog = read_po(path.open("rb"))
    assert _ids(template) <= _ids(catalog), "run `make messages` and translate"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {source[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(source[0])) - {"%(num)d"}
        for text in strings:
            if not wanted <= set(PLACEHOLDER.findall(text)) or not set(
                    PLACEHOLDER.findall(text)) <= set().union(
                    *(PLACEHOLDER.findall(s) for s in source)):
                problems.append(f"placeholders differ: {source[0]!r} → {text!r}")
        for check in (num_plurals, python_format):
            try:
                check(catalog, message)
            except Exception as error:  # babel's TranslationError and its kin
                problems.append(f"{check.__name__}: {source[0]!r}: {error}")
    assert problems == [], "\n".join(problems[:40])


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_a_catalogue_uses_its_glossary_terms(path):
    """Each language has a glossary of its legal and programme terms; the terms it
    enforces are used for the English term in every message."""
    glossary = path.parents[1] / "glossary.toml"
    assert glossary.exists(), f"{glossary}: the language's glossary is missing"
    terms = tomllib.loads(glossary.read_text(encoding="utf-8"))["term"]
    assert {"trafficking in persons"} <= {t["en"] for t in terms}
    assert all({"en", "term", "source", "sure"} <= set(t) for t in terms), glossary
    catalog = read_po(path.open("rb"))
    problems = []
    for term in (t for t in terms if t.get("enforce")):
        english = re.compile(r"\b" + re.escape(term["en"]) + r"s?\b", re.IGNORECASE)
        variants = [v.strip() for v in term["term"].split("/")]
        for message in catalog:
            if not message.id:
                continue
            source = message.id if isinstance(message.id, str) else message.id[0]
            text = message.string if isinstance(message.string, str) else message.string[0]
            # Placeholders and file paths are not words of the sentence.
            words = re.sub(r"%\([a-z_]+\)[sd]|\S+/\S*", " ", source)
            if english.search(words) and not any(v in text for v in variants):
                problems.append(f"{term['en']} → {term['term']}: {source!r} → {text!r}")
    assert problems == [], "\n".join(problems[:30])
