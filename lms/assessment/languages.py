"""Questions in the learner's language: an attempt keeps what it showed.

A translated question has the source's keys, types and correct options (the content
loader refuses any other), so an attempt in Thai and one in English are graded,
analysed and certified as the same item; only the words differ.
"""
from __future__ import annotations

from typing import Any

from lms.assessment.models import Question
from lms.catalog.translations import current_translations

# The words a learner reads, at any depth of a spec (options, pairs, items, parts).
TEXTS = frozenset({"text", "feedback", "feedback_true", "feedback_false", "left", "right",
                   "prompt", "explanation", "vignette", "vignette_html", "unit"})


def translations_for(course_id: int, source_language: str,
                     locale: str) -> dict[tuple[str, str], dict[str, Any]]:
    if locale == source_language:
        return {}
    return dict(current_translations(course_id, locale).current)


def snapshot(question: Question, translation: dict[str, Any] | None, source_language: str,
             locale: str) -> dict[str, Any]:
    """What an attempt keeps of a question, in the learner's language where a current
    translation exists, else in the source's (and says which)."""
    shown = translation if translation is not None else {
        "prompt": question.prompt, "explanation": question.explanation, "spec": question.spec}
    snap = {"type": question.type, "spec": shown["spec"], "version": question.version,
            "prompt": shown["prompt"], "explanation": shown["explanation"],
            "references": list(question.references),
            "language": locale if translation is not None else source_language}
    if translation is not None:
        snap["source_spec"] = question.spec  # what a later key correction is made against
    return snap


def keep_words(new: Any, seen: Any, old: Any) -> Any:
    """A corrected spec (`new`) in the words the learner read (`seen`, translated from
    `old`): texts matched by key, the key always the new one. Typed answers the
    translation itself added stay accepted beside the corrected ones; an answer the
    correction removed from the source is removed here too."""
    if isinstance(new, dict) and isinstance(seen, dict):
        old = old if isinstance(old, dict) else {}
        merged = {}
        for name, value in new.items():
            if name in TEXTS and isinstance(seen.get(name), str):
                merged[name] = seen[name]
            elif name == "answers" and isinstance(value, list):
                added = [a for a in seen.get(name, []) if a not in old.get(name, [])]
                merged[name] = value + [a for a in added if a not in value]
            else:
                merged[name] = keep_words(value, seen.get(name), old.get(name))
        return merged
    if isinstance(new, list) and isinstance(seen, list):
        by_key = {s.get("key"): s for s in seen if isinstance(s, dict)}
        olds = {o.get("key"): o for o in old if isinstance(o, dict)} if isinstance(
            old, list) else {}
        if by_key and all(isinstance(n, dict) and "key" in n for n in new):
            return [keep_words(n, by_key.get(n["key"]), olds.get(n["key"])) for n in new]
    return new
