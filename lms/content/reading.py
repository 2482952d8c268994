"""Reading course files: error collection with file and line, TOML, text fields."""
from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

from lms.content.specs import LoadError
from lms.content.toml_lines import TomlLines, syntax_error_line

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Collector:
    """Gathers errors with paths relative to the working directory, as editors want them."""

    def __init__(self) -> None:
        self.errors: list[LoadError] = []

    def add(self, path: Path, line: int, message: str) -> None:
        self.errors.append(LoadError(os.path.relpath(path), line, message))


RAW_NUL = re.compile("\x00")
TOML_NUL = re.compile(r"\x00|\\u0000|\\U00000000")  # raw, or a TOML escape of one


def _line_of(pattern: re.Pattern, text: str) -> int | None:
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def read_text(path: Path, out: Collector) -> str | None:
    """A file's UTF-8 text, or None with the error recorded. A NUL character is refused
    here: no database stores it in text (PostgreSQL refuses it outright)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        out.add(path, 1, "file is not UTF-8 text")
        return None
    if (line := _line_of(RAW_NUL, text)) is not None:
        out.add(path, line, "contains a NUL character; remove it")
        return None
    return text


def read_toml(path: Path, text: str, out: Collector, first_line: int = 1) -> dict | None:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = syntax_error_line(str(exc))
        out.add(path, line + first_line - 1, f"invalid TOML: {message}")
        return None
    if _holds_nul(data):
        out.add(path, (_line_of(TOML_NUL, text) or 1) + first_line - 1,
                "contains a NUL character (\\u0000); remove it")
        return None
    return data


def text_of(data: dict, key: str) -> str:
    value = data.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def read_toml_file(path: Path, out: Collector) -> tuple[dict, TomlLines] | None:
    """A TOML file's data and its line finder, or None (with the error recorded)."""
    text = read_text(path, out)
    if text is None:
        return None
    data = read_toml(path, text, out)
    return None if data is None else (data, TomlLines(text))
