"""Static files under fingerprinted names, cached by browsers for a year.

`url_for('static', filename='app.css')` gives `/static/app.3f9c2b1a.css`: the name
carries a hash of the content, so a changed file gets a new address and the old one may
be kept forever (`Cache-Control: public, max-age=31536000, immutable`). A learner on a
slow connection downloads the style sheet and scripts once, not on every page.

The files are few and small: they are read once at start-up and served from memory
(and so compressed by Flask-Compress like any other text response). A request for a
file under its plain name, or under an old hash, still gets the current content, but
only with a short cache life.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, request

YEAR = 31536000
FINGERPRINT = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{10})(?P<suffix>\.[^./]+)$")


@dataclass(frozen=True)
class StaticFile:
    data: bytes
    mimetype: str
    digest: str


def _fingerprinted(name: str, digest: str) -> str:
    path = Path(name)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def load(folder: Path) -> dict[str, StaticFile]:
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        files[path.relative_to(folder).as_posix()] = StaticFile(
            data, mimetype, hashlib.sha256(data).hexdigest()[:10])
    return files


def init_app(app: Flask) -> None:
    files = load(Path(app.static_folder))

    @app.url_defaults
    def fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in files:
            name = values["filename"]
            values["filename"] = _fingerprinted(name, files[name].digest)

    def serve_static(filename: str) -> Response:
        match = FINGERPRINT.match(filename)
        name = f"{match['stem']}{match['suffix']}" if match else filename
        found = files.get(name)
        if found is None:
            abort(404)
        response = Response(found.data, mimetype=found.mimetype)
        if match and match["hash"] == found.digest:
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:  # a plain or stale name: the content may change under it
            response.headers["Cache-Control"] = "public, max-age=300"
            response.set_etag(found.digest)
            response.make_conditional(request)
        return response

    app.view_functions["static"] = serve_static
