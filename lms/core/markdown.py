"""Markdown to safe HTML: markdown-it-py (raw HTML off), then nh3 with an allow-list."""
from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable("table")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "img",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"style"}, "td": {"style"},
                      "img": {"src", "alt", "title"}}
MEDIA_PATH = "/media/"


def _only_own_images(tag: str, attribute: str, value: str) -> str | None:
    # Images come from the platform's own uploads (checked, re-encoded, served inert),
    # never from another site: no tracking pixels, no mixed content, no surprise data.
    if tag == "img" and attribute == "src" and not value.startswith(MEDIA_PATH):
        return None
    return value


def render_markdown(text: str) -> str:
    """Return sanitised HTML; `h1` is demoted because the page title is the only h1."""
    html = _md.render(text).replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=_only_own_images,
        set_tag_attribute_values={"img": {"loading": "lazy", "decoding": "async"}},
    )
