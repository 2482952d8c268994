"""What the Moodle XML and GIFT importers share: results, keys, topics, validation."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.content.limits import max_length
from lms.content.quiz_loader import _load_question
from lms.content.reading import Collector
from lms.content.references import is_known_reference
from lms.content.toml_lines import TomlLines

MAX_IMPORT_BYTES = 5 * 1024 * 1024
_CATEGORY_ROOTS = {"$course$", "$system$", "$cat$", "$module$", "top"}


@dataclass(frozen=True)
class Skipped:
    """A question left out, with the reason a person can act on."""

    name: str
    type: str
    reason: str


@dataclass
class ImportResult:
    """Question dicts in the course-file format (each passes the bank validator), the
    questions left out, errors that stopped reading (bad file, bad syntax), and notes on
    questions imported with a change (a distractor dropped, a penalty that differs)."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Unmappable(Exception):
    """A question this platform cannot represent; its message is the reason."""


def size_problem(size: int) -> str | None:
    """Why a file of `size` bytes is refused before it is read (None when it is not)."""
    if size > MAX_IMPORT_BYTES:
        return (f"the file is {size / 1024 / 1024:.1f} MB; at most "
                f"{MAX_IMPORT_BYTES // 1024 // 1024} MB can be imported at once: split it "
                "into several files")
    return None


def slugify(text: str, limit: int = 80) -> str:
    """Lower-case ASCII letters, digits and single hyphens, at most `limit` long."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def option_key(index: int) -> str:
    """a, b, … z, aa, ab, … as the shipped banks name options."""
    key = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        key = chr(ord("a") + rest) + key
    return key


class KeyMaker:
    """Unique question keys from names: the slug, then -2, -3 … in file order."""

    def __init__(self, taken: Collection[str] = ()) -> None:
        self.taken = set(taken)
        self.limit = max_length("question key")

    def make(self, name: str) -> str:
        base = slugify(name, self.limit - 4) or "question"
        key, number = base, 1
        while key in self.taken:
            number += 1
            key = f"{base[: self.limit - len(str(number)) - 1].rstrip('-')}-{number}"
        self.taken.add(key)
        return key

    def release(self, key: str) -> None:
        self.taken.discard(key)


def topic_from_category(path: str, default: str) -> str:
    """The slug of a Moodle category path's last named segment ("//" is a literal "/")."""
    segments = [s.replace("\0", "/").strip()
                for s in path.replace("//", "\0").split("/")]
    named = [s for s in segments if s and s.lower() not in _CATEGORY_ROOTS]
    return (slugify(named[-1], max_length("topic")) if named else "") or default


def question_problems(raw: dict[str, Any]) -> list[str]:
    """What the course-file validator says of one bank question (empty when it passes)."""
    out = Collector()
    _load_question(raw, 0, Path("import"), TomlLines(""), out, topic_required=True)
    return [error.message for error in out.errors]


class Importer:
    """Collects imported questions: topic from the latest category, unique keys, each
    question validated exactly as a course file's bank question is."""

    def __init__(self, default_topic: str, taken: Collection[str] = ()) -> None:
        self.result = ImportResult()
        self.keys = KeyMaker(taken)
        self.default_topic = slugify(default_topic, max_length("topic"))
        if not self.default_topic:
            self.result.errors.append("the default topic must contain letters or digits")
        self.topic = self.default_topic

    def set_category(self, path: str) -> None:
        self.topic = topic_from_category(path, self.default_topic)

    def skip(self, name: str, qtype: str, reason: str) -> None:
        self.result.skipped.append(Skipped(name or "(no name)", qtype, reason))

    def add(self, name: str, source_type: str, prompt: str, explanation: str,
            fields: dict[str, Any], notes: list[str], media: Collection[str] = (),
            tags: Collection[str] = ()) -> None:
        """Keep the question if the bank validator accepts it, else skip it with its reason."""
        if media:
            self.skip(name, source_type, "contains images or embedded files "
                      f"({', '.join(sorted(media))}), which cannot be imported; add them "
                      "to the question text as a description instead")
            return
        if not prompt:
            self.skip(name, source_type, "has no question text")
            return
        key = self.keys.make(name or prompt[:40])
        raw = {"key": key, "type": fields["type"], "topic": self.topic, "prompt": prompt,
               "explanation": explanation,
               # Tags that name a known instrument are legal references (our export
               # writes them so); other Moodle tags are not ours to keep.
               "references": list(dict.fromkeys(t for t in tags if is_known_reference(t))),
               **{k: v for k, v in fields.items() if k != "type"}}
        problems = question_problems(raw)
        if problems:
            self.keys.release(key)
            self.skip(name, source_type, "; ".join(problems))
            return
        self.result.questions.append(raw)
        self.result.notes.extend(f"{key}: {note}" for note in notes)


UNSUPPORTED = {
    "essay": "essays are marked by hand; this platform only has automatically marked types",
    "description": "a description is not a question (it has no answer)",
    "calculated": "calculated questions (formulas with wildcards) have no equivalent here",
    "calculatedsimple": "calculated questions (formulas with wildcards) have no equivalent here",
    "calculatedmulti": "calculated questions (formulas with wildcards) have no equivalent here",
    "cloze": "embedded-answer (Cloze) questions have no equivalent here; split them into "
             "separate questions",
    "multianswer": "embedded-answer (Cloze) questions have no equivalent here; split them into "
                   "separate questions",
    "ddwtos": "drag-and-drop into text has no equivalent here",
    "gapselect": "select-missing-words has no equivalent here",
    "ddimageortext": "drag-and-drop onto an image has no equivalent here",
    "ddmarker": "drag-and-drop markers have no equivalent here",
    "randomsamatch": "random short-answer matching draws from another category; it has no "
                     "equivalent here",
    "random": "a random question is a quiz slot, not a question",
}


def unsupported_reason(qtype: str) -> str:
    """Why a Moodle question type is not imported, in words an instructor can act on."""
    return UNSUPPORTED.get(qtype, f"the Moodle question type '{qtype}' has no equivalent here")
