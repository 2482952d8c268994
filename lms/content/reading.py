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


def read_toml(path: Path, text: str, out: Collector, first_line: int = 1) -> dict | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = syntax_error_line(str(exc))
        out.add(path, line + first_line - 1, f"invalid TOML: {message}")
        return None


def text_of(data: dict, key: str) -> str:
    value = data.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def read_toml_file(path: Path, out: Collector) -> tuple[dict, TomlLines] | None:
    """A TOML file's data and its line finder, or None (with the error recorded)."""
    text = path.read_text(encoding="utf-8")
    data = read_toml(path, text, out)
    return None if data is None else (data, TomlLines(text))
