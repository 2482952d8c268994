"""The shipped translations: the non-punishment course whole in Thai, the lessons of
the victim-centred course in Khmer; complete, current, and in the glossaries' terms."""
from __future__ import annotations

import re
import tomllib

import pytest

from lms.content.loader import LINK, load_catalogue
from lms.content.translations import course_items, coverage
from tests.fixtures.courses import ROOT, SHIPPED

SPECS = {spec.slug: spec for spec in load_catalogue(SHIPPED)[0]}
SHARED = load_catalogue(SHIPPED)[1]


def test_the_glossary_is_wholly_in_thai_and_current():
    thai = [t for t in SHARED.translations if t.locale == "th"]
    assert len(thai) == len(SHARED.terms) and all(t.current for t in thai)


def test_the_non_punishment_course_is_wholly_in_thai_and_current():
    cover = coverage(SPECS["non-punishment-principle"])["th"]
    assert (cover.current, cover.stale, cover.missing) == (cover.total, [], [])


def test_the_victim_centred_lessons_are_in_khmer_and_current():
    cover = coverage(SPECS["victim-centred-approaches"])["km"]
    assert cover.stale == []
    assert cover.by_kind["lesson"] == [5, 5] and cover.by_kind["module"] == [3, 3]
    assert ("course", "") not in cover.missing


def _texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for name, inner in value.items():
            if name not in ("key", "slug", "source", "type", "answers"):
                yield from _texts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _texts(inner)


def _terms(locale: str) -> list[dict]:
    path = ROOT / "lms" / "translations" / locale / "glossary.toml"
    return [t for t in tomllib.loads(path.read_text(encoding="utf-8"))["term"]
            if t.get("courses")]


TRANSLATED = [(slug, t.locale) for slug, spec in SPECS.items()
              for t in {t.locale: t for t in spec.translations}.values()]


@pytest.mark.parametrize(("slug", "locale"), TRANSLATED)
def test_course_translations_use_the_glossary_terms(slug, locale):
    """Wherever the source uses a glossary term marked `courses = true`, the item's
    translation uses the language's term (the same legal word in every lesson)."""
    spec = SPECS[slug]
    sources = course_items(spec)
    terms = _terms(locale)
    assert terms, f"{locale}: no glossary term is checked in courses"
    missing = []
    for translation in (t for t in spec.translations if t.locale == locale and t.current):
        source = " ".join(_texts(sources[(translation.kind, translation.key)]))
        text = " ".join(_texts(translation.data))
        for term in terms:
            english = r"\s+".join(re.escape(word) + "s?" for word in term["en"].split())
            forms = [term["term"], *term.get("also", [])]
            if re.search(rf"\b{english}\b", source, re.I) and not any(f in text for f in forms):
                missing.append(f"{translation.kind} {translation.key}: {term['term']}")
    assert missing == []


@pytest.mark.parametrize(("slug", "locale"), TRANSLATED)
def test_translated_lessons_keep_the_sources_links_and_headings(slug, locale):
    spec = SPECS[slug]
    for module in spec.modules:
        for lesson in module.lessons:
            path = SHIPPED / slug / "i18n" / locale / "lessons" / f"{lesson.slug}.md"
            if not path.exists():
                continue
            body = path.read_text(encoding="utf-8").split("+++", 2)[2]
            assert sorted(LINK.findall(body)) == sorted(LINK.findall(lesson.body)), path
            headings = [len(m) for m in re.findall(r"^(#+) ", body, re.M)]
            assert headings == [len(m) for m in re.findall(r"^(#+) ", lesson.body, re.M)], path
