"""courses/_shared/: the glossary shared by every course, and pages such as support.md."""
from __future__ import annotations

import re
from pathlib import Path

from lms.content.limits import check_length
from lms.content.reading import SLUG_RE, Collector, read_text, read_toml_file, text_of
from lms.content.references import is_known_reference
from lms.content.specs import PageSpec, SharedSpec, TermSpec, TranslationSpec
from lms.content.translations import source_hash, term_source
from lms.core.i18n import LANGUAGES

SHARED = "_shared"


def _load_glossary(path: Path, out: Collector) -> tuple[TermSpec, ...]:
    if (loaded := read_toml_file(path, out)) is None:
        return ()
    data, where = loaded
    terms = []
    for index, raw in enumerate(data.get("terms", [])):
        slug, term, definition = (text_of(raw, k) for k in ("slug", "term", "definition"))
        line = where.table("terms", index)
        if not SLUG_RE.match(slug) or not term or not definition:
            out.add(path, line, "a glossary term needs slug, term and definition")
            continue
        if not (check_length(out, path, line, "glossary slug", slug)
                and check_length(out, path, line, "glossary term", term)):
            continue
        refs = tuple(raw.get("references", []))
        for ref in refs:
            if not is_known_reference(ref):
                out.add(path, where.key("references", "terms", index),
                        f"term {slug}: unknown legal reference '{ref}'")
        terms.append(TermSpec(slug, term, definition, refs, tuple(raw.get("see_also", []))))
    slugs = [t.slug for t in terms]
    for index, term in enumerate(terms):
        if slugs.count(term.slug) > 1:
            out.add(path, where.table("terms", index), f"duplicate glossary term '{term.slug}'")
        for other in term.see_also:
            if other not in slugs:
                out.add(path, where.key("see_also", "terms", index),
                        f"term {term.slug}: see_also names unknown term '{other}'")
    return tuple(terms)


def _load_page(path: Path, out: Collector) -> PageSpec | None:
    text = read_text(path, out)
    if text is None:
        return None
    match = re.match(r"\A#\s+(.+)\n", text)
    if match is None:
        out.add(path, 1, "a page must start with a '# Title' line")
        return None
    if not (check_length(out, path, 1, "page slug (its file name)", path.stem)
            and check_length(out, path, 1, "page title", match.group(1).strip())):
        return None
    return PageSpec(path.stem, match.group(1).strip(), text[match.end():].strip())


def load_shared(courses_root: Path, out: Collector) -> SharedSpec | None:
    """The _shared folder beside the course folders, if there is one."""
    folder = courses_root / SHARED
    if not folder.is_dir():
        return None
    glossary = folder / "glossary.toml"
    terms = _load_glossary(glossary, out) if glossary.is_file() else ()
    pages = [_load_page(p, out) for p in sorted(folder.glob("*.md"))]
    return SharedSpec(terms, tuple(p for p in pages if p is not None),
                      _load_term_translations(folder / "i18n", terms, out))


def _load_term_translations(root: Path, terms: tuple[TermSpec, ...],
                            out: Collector) -> tuple[TranslationSpec, ...]:
    """_shared/i18n/<lang>/glossary.toml: [[terms]] slug, source, term, definition."""
    if not root.is_dir():
        return ()
    by_slug = {t.slug: t for t in terms}
    found: dict[tuple[str, str], TranslationSpec] = {}
    for path in sorted(root.glob("*/glossary.toml")):
        locale = path.parent.name
        if locale not in LANGUAGES or (loaded := read_toml_file(path, out)) is None:
            if locale not in LANGUAGES:
                out.add(path, 1, f"i18n/{locale}: not a language of the platform")
            continue
        data, where = loaded
        raw_terms = data.get("terms", [])
        if not isinstance(raw_terms, list) or not all(isinstance(t, dict) for t in raw_terms):
            out.add(path, 1, "terms must be [[terms]] tables")
            continue
        for index, raw in enumerate(raw_terms):
            line = where.table("terms", index)
            slug = text_of(raw, "slug")
            if not slug or not text_of(raw, "source") or (locale, slug) in found:
                out.add(path, line, f"term '{slug}' translated twice" if slug and text_of(
                    raw, "source") else "a translated term needs its slug and source hash")
                continue
            term = by_slug.get(slug)
            current = term is not None and text_of(raw, "source") == source_hash(
                term_source(term))  # a removed term's translation: kept, never shown
            texts = {k: text_of(raw, k) for k in ("term", "definition")}
            if current and not all(texts.values()):
                out.add(path, line, f"term {slug}: give both the term and its definition")
                continue
            found[(locale, slug)] = TranslationSpec(locale, "term", slug, text_of(
                raw, "source"), current, texts if current else {}, str(path))
    return tuple(found.values())
