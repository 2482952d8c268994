"""Find the line of a table or key in TOML text, so errors can say `path:line:`.

tomllib reports line numbers only for syntax errors; for rule errors (a
question without a correct answer) we locate the n-th `[[table]]` header and
the key under it in the raw text.
"""
from __future__ import annotations

import re

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def syntax_error_line(message: str) -> tuple[int, str]:
    match = _AT_LINE.search(message)
    clean = _AT_LINE.sub("", message).strip()
    return (int(match.group(1)) if match else 1), clean


class TomlLines:
    def __init__(self, text: str, first_line: int = 1):
        self.lines = text.splitlines()
        self.offset = first_line - 1

    def _headers(self, table: str) -> list[int]:
        pattern = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]")
        return [i for i, line in enumerate(self.lines) if pattern.match(line)]

    def table(self, table: str, index: int) -> int:
        """Line of the index-th `[[table]]` (1-based), or of the file start."""
        headers = self._headers(table)
        return (headers[index] + 1 + self.offset) if index < len(headers) else 1 + self.offset

    def key(self, key: str, table: str | None = None, index: int = 0, *,
            containing: str | None = None) -> int:
        """Line of `key =` (or of a line containing `containing`) inside a table entry."""
        start, end = 0, len(self.lines)
        if table is not None:
            headers = self._headers(table)
            if index < len(headers):
                start = headers[index]
                following = [h for h in self._headers(table) if h > start]
                next_any = [i for i in range(start + 1, len(self.lines))
                            if re.match(r"^\s*\[(?!\[?\s*" + re.escape(table) + r"\.)",
                                        self.lines[i])]
                end = min(following + next_any + [len(self.lines)])
        pattern = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for i in range(start, end):
            line = self.lines[i]
            if (containing is not None and containing in line) or (
                    containing is None and pattern.match(line)):
                return i + 1 + self.offset
        return start + 1 + self.offset

    def plain_table_key(self, table: str, key: str | None = None) -> int:
        """Line of `key` inside a plain `[table]` (or of the table itself); `key()` knows
        only [[arrays of tables]]."""
        lines = self.lines
        header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]")
        start = next((i for i, line in enumerate(lines) if header.match(line)), None)
        if start is None:  # `table = { … }` or `table.key = …` at the top
            dotted = re.compile(r"^\s*" + re.escape(table) + r"\s*\.\s*"
                                + re.escape(key or "") + r"\s*=")
            for i, line in enumerate(lines):
                if key and dotted.match(line):
                    return i + 1 + self.offset
            return self.key(table)
        if key is None:
            return start + 1 + self.offset
        end = next((i for i in range(start + 1, len(lines)) if re.match(r"^\s*\[", lines[i])),
                   len(lines))
        pattern = re.compile(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=")
        return next((i + 1 + self.offset for i in range(start + 1, end)
                     if pattern.match(lines[i])), start + 1 + self.offset)
