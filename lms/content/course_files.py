"""A course as its `courses/<slug>/` files and as studio draft items, both ways.

Files → items parses the TOML and Markdown; items → files writes them back in one
canonical form (keys in a fixed order, whatever order the database kept them in), so
export → import → export gives the same files. Only the validators in `loader` decide
whether a course is good; nothing here judges content.
"""
from __future__ import annotations

import re
import tomllib
from datetime import date, datetime
from pathlib import Path
from typing import Any

import tomli_w

Files = dict[str, str]  # path inside the course folder → text
ItemKey = tuple[str, str]  # (kind, key)
Items = dict[ItemKey, dict[str, Any]]

TEXT_FILES = re.compile(r"^(i18n/[a-z]{2,3}/)?(course\.toml|references\.md|lessons/[^/]+\.md|"
                        r"(quizzes|banks)/[^/]+\.toml)$")
# A translation file is kept as its text: the studio's translation editor reads and
# writes it through lms.content.translation_template, the loader checks it.
TRANSLATION_FILE = re.compile(r"^i18n/([a-z]{2,3})/(.+)$")
LESSON = re.compile(r"\A\+\+\+[ \t]*\n(.*?)\n\+\+\+[ \t]*\n?(.*)\Z", re.S)
# Keys first in this order (the rest alphabetically), tables of a question last.
ORDER = ("slug", "key", "source", "type", "title", "term", "definition", "kind", "topic",
         "summary", "audience", "language", "cpd_hours", "minutes", "content_note",
         "objectives", "pass_mark",
         "attempts_allowed", "cooldown_minutes", "time_limit_minutes", "available_from",
         "available_until", "show_answers", "questions_per_page", "prompt", "vignette",
         "answer", "answers", "tolerance", "unit", "scoring", "text", "correct", "left",
         "right", "explanation", "feedback", "feedback_true", "feedback_false",
         "references", "lessons", "count",
         # [feedback] of course.toml: the survey's questions in the order learners see them
         "relevance", "clarity", "confidence", "comment", "follow_up_days", "follow_up",
         # [certificate] of course.toml
         "template", "validity_months", "remind_days", "second_language", "refresher")
TABLES = ("modules", "draw", "options", "pairs", "items", "parts", "questions")


class FilesError(ValueError):
    """Files that cannot even be read (not UTF-8 or TOML): `problems` says where."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _rank(key: str) -> tuple[int, int, str]:
    if key in TABLES:
        return (2, TABLES.index(key), key)
    return (0, ORDER.index(key), key) if key in ORDER else (1, 0, key)


def canonical(value: Any) -> Any:
    """Tables with their keys in the fixed order, all the way down."""
    if isinstance(value, dict):
        return {k: canonical(value[k]) for k in sorted(value, key=_rank)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def to_json(value: Any) -> Any:
    """TOML values the database's JSON cannot hold (dates) as tagged strings."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        if set(value) == {"$date"}:
            return date.fromisoformat(value["$date"])
        return {k: from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


def _toml(data: dict[str, Any]) -> str:
    return tomli_w.dumps(canonical(from_json(data)), multiline_strings=True)


def _parse(path: str, text: str, problems: list[str]) -> dict[str, Any]:
    try:
        return to_json(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path}: invalid TOML: {error}")
        return {}


def _questions(path: str, data: dict, owner: dict, items: Items, problems: list[str]) -> None:
    keys = []
    for raw in data.pop("questions", []) if isinstance(data.get("questions"), list) else []:
        key = raw.get("key") if isinstance(raw, dict) else None
        if not isinstance(key, str) or not key:
            problems.append(f"{path}: a question has no key")
            continue
        if ("question", key) in items:
            problems.append(f"{path}: duplicate question key '{key}' in this course")
            continue
        items[("question", key)] = raw
        keys.append(key)
    owner["questions"] = keys


def items_from_files(files: Files) -> Items:
    """The draft items of a course's files (raises FilesError on unreadable files)."""
    items: Items = {}
    problems: list[str] = []
    for path in sorted(files):
        text = files[path]
        stem = Path(path).stem
        if (match := TRANSLATION_FILE.match(path)) is not None:
            items[("translation", f"{match.group(1)}/{match.group(2)}")] = {"text": text}
        elif path == "course.toml":
            items[("course", "")] = _parse(path, text, problems)
        elif path == "references.md":
            items[("references", "")] = {"text": text}
        elif path.startswith("lessons/"):
            match = LESSON.match(text)
            if match is None:
                problems.append(f"{path}: lesson must start with a +++ TOML header +++ block")
                continue
            items[("lesson", stem)] = {"header": _parse(path, match.group(1), problems),
                                       "body": match.group(2).strip()}
        elif path.startswith("quizzes/"):
            data = _parse(path, text, problems)
            _questions(path, data, data, items, problems)
            items[("quiz", stem)] = data
        elif path.startswith("banks/"):
            data = _parse(path, text, problems)
            bank: dict[str, Any] = {}
            _questions(path, data, bank, items, problems)
            items[("bank", stem)] = bank
    if problems:
        raise FilesError(problems)
    return items


def files_from_items(items: Items) -> Files:
    """The canonical `courses/<slug>/` files of a draft."""
    files: Files = {}
    questions = {key: data for (kind, key), data in items.items() if kind == "question"}
    for (kind, key), data in sorted(items.items()):
        if kind == "translation":
            files[f"i18n/{key}"] = data.get("text", "")
        elif kind == "course":
            files["course.toml"] = _toml(data)
        elif kind == "references" and data.get("text", "").strip():
            files["references.md"] = data["text"].strip() + "\n"
        elif kind == "lesson":
            files[f"lessons/{key}.md"] = (f"+++\n{_toml(data.get('header', {}))}+++\n\n"
                                          f"{data.get('body', '').strip()}\n")
        elif kind in ("quiz", "bank"):
            table = {k: v for k, v in data.items() if k != "questions"}
            table["questions"] = [questions[k] for k in data.get("questions", [])
                                  if k in questions]
            if not table["questions"]:
                del table["questions"]
            files[f"{'quizzes' if kind == 'quiz' else 'banks'}/{key}.toml"] = _toml(table)
    return files


def files_of_folder(folder: Path) -> Files:
    """A course folder's text files, as `files_from_items` would name them."""
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if TEXT_FILES.match(relative):
            files[relative] = path.read_text(encoding="utf-8")
    return files


def write_folder(files: Files, folder: Path) -> None:
    """Write files under `folder` (made if missing); paths are checked, never trusted."""
    for relative, text in files.items():
        if not TEXT_FILES.match(relative):
            raise ValueError(f"not a course file: {relative}")
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
