"""Moodle's formatted text (HTML, auto-format, plain, Markdown) as plain text, media noted."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

# Moodle's text formats, by their XML names and their GIFT [tags].
HTML_FORMATS = {"html", "1"}
AUTO_FORMATS = {"moodle_auto_format", "moodle", "0", ""}
VERBATIM_FORMATS = {"plain_text", "plain", "markdown", "2", "4"}

_BLOCK = {"p", "div", "section", "article", "header", "footer", "blockquote", "pre", "table",
          "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "figure",
          "figcaption", "tr", "address", "details", "summary", "main", "nav", "aside"}
_DROPPED = {"script", "style", "head", "title", "template", "noscript", "textarea", "select"}
_MEDIA = {"img", "audio", "video", "object", "embed", "iframe", "source", "picture", "track",
          "canvas", "svg", "applet", "frame"}
_EMBEDDED = "@@PLUGINFILE@@"
# `[^<>]*`, not `[^>]*`: a run of "<a" with no ">" must not be rescanned from every "<"
# (that made a 160 KB field take seconds, and the 5 MB cap hours).
_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^<>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@dataclass(frozen=True)
class PlainText:
    text: str
    media: tuple[str, ...] = ()  # images or embedded files the text refers to


def _file_name(url: str) -> str:
    name = url.replace(_EMBEDDED, "").split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    return name or url[:60]


class _Extractor(HTMLParser):
    """Keeps text, turns blocks into blank lines, drops scripts, notes media and files."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media: list[str] = []
        self.dropping = 0
        self.pre = 0
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _DROPPED:
            self.dropping += 1
            return
        if tag in _MEDIA:
            self.media.append(_file_name(values.get("src") or values.get("data") or tag))
        elif any(v and _EMBEDDED in v for v in values.values()):
            self.media.extend(_file_name(v) for v in values.values() if v and _EMBEDDED in v)
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCK:
            self.parts.append("\n\n")
        if tag == "pre":
            self.pre += 1
        if tag == "a":
            self.links.append((len(self.parts), values.get("href") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
            return
        if tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCK:
            self.parts.append("\n\n")
        if tag == "a" and self.links:
            start, href = self.links.pop()
            shown = "".join(self.parts[start:]).strip()
            if re.match(r"https?://", href) and href != shown:
                self.parts.append(f" ({href})" if shown else href)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def _tidy(text: str) -> str:
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.strip(" \t\u00a0") for line in text.replace("\u00a0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> PlainText:
    """Plain text of an HTML fragment: tags gone, entities decoded, never markup kept."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    return PlainText(_tidy("".join(parser.parts)), tuple(dict.fromkeys(parser.media)))


def to_plain(text: str | None, fmt: str | None = "html") -> PlainText:
    """Text of a Moodle field in format `fmt` (an XML format name or a GIFT [tag])."""
    text = text or ""
    fmt = (fmt or "").strip().lower()
    if fmt in VERBATIM_FORMATS:
        return PlainText(_tidy(text))
    if fmt in AUTO_FORMATS and not _LOOKS_LIKE_HTML.search(text):
        return PlainText(_tidy(text))
    if fmt in AUTO_FORMATS:  # auto-format keeps the author's line breaks
        text = text.replace("\r\n", "\n").replace("\n", "<br>")
    return html_to_text(text)
