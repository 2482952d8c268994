"""Request input the database would refuse, answered with a 4xx before any view runs.

- `<int:…>` in a route never hands a view an id the database cannot hold
  (PostgreSQL's integer): a larger number becomes 0, an id no row has, so the
  view's own load-then-check answers 404 (not a driver error and a 500, and not
  the 405 werkzeug gives when a converter refuses a POST).
- A NUL byte in the path, the query or a form field is a 400: PostgreSQL cannot
  store it in text, and no person types one.
"""
from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # PostgreSQL integer; SQLite's is wider, so this is the common limit


class DatabaseIdConverter(IntegerConverter):
    """`<int:x>` as a database id: out of range is 0, which no row has."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


def parse_id(text: str | None) -> int | None:
    """An id posted in a form field, or None when it is not one the database can hold."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key))
               for key in values)


# endpoint → largest body it takes (uploads); every other request keeps
# MAX_CONTENT_LENGTH. Filled by domains; read before anything parses the form (CSRF).
upload_limits: dict[str, int] = {}
# endpoint → largest text field it takes (pasted CSV); others keep MAX_FORM_MEMORY_SIZE.
form_limits: dict[str, int] = {}


def init_app(app: Flask) -> None:
    # Set before any blueprint registers its routes: rules pick their converter then.
    app.url_map.converters["int"] = DatabaseIdConverter

    @app.before_request
    def refuse_nul_bytes():
        if (limit := upload_limits.get(request.endpoint or "")) is not None:
            request.max_content_length = limit
        if (limit := form_limits.get(request.endpoint or "")) is not None:
            request.max_form_memory_size = limit
        if "\x00" in request.path or has_nul(request.args):
            abort(400)
        if request.method in ("POST", "PUT", "PATCH") and has_nul(request.form):
            abort(400)
