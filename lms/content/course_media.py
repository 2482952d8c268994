"""A course's lesson images in its zip: `media/<file>` beside the lessons.

In the database a lesson shows an image as `/media/<id>/<file>`; in a zip the same
image is `media/<file>`, so the zip names no database id and imports anywhere. On
import every image is checked and re-encoded like any upload (a picture that re-encodes
to new bytes gets a new name, so only text files are byte-for-byte stable).
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.catalog.media import MediaFile, media_url, store_image
from lms.content.course_files import Files
from lms.core.db import db
from lms.core.errors import DomainError

IN_DRAFT = re.compile(r"(!\[(?:\\.|[^\]\\\n])*\]\()/media/(\d{1,10})/([^)\s/]+)\)")
IN_ZIP = re.compile(r"!\[((?:\\.|[^\]\\\n])*)\]\(media/([^)\s/]+)\)")
MAX_IMAGES = 50  # each is decoded and re-encoded inside the request


def _lessons(files: Files) -> list[str]:
    return [path for path in files if path.startswith("lessons/")]


def export_media(course_id: int, files: Files) -> tuple[Files, dict[str, bytes]]:
    """The files with this course's images as `media/<file>`, and the images' bytes."""
    ids = {int(m[2]) for path in _lessons(files) for m in IN_DRAFT.finditer(files[path])}
    rows = {m.id: m for m in db.session.scalars(sa.select(MediaFile).where(
        MediaFile.id.in_(ids), MediaFile.course_id == course_id).options(
        sa.orm.undefer(MediaFile.data)))} if ids else {}

    def relative(match: re.Match) -> str:
        media = rows.get(int(match[2]))
        if media is None or media.filename != match[3]:
            return match[0]  # not this course's: left as it is
        return f"{match[1]}media/{media.filename})"

    out = dict(files)
    for path in _lessons(files):
        out[path] = IN_DRAFT.sub(relative, files[path])
    return out, {m.filename: m.data for m in rows.values()}


def referenced(files: Files) -> set[str]:
    return {m[2] for path in _lessons(files) for m in IN_ZIP.finditer(files[path])}


def import_media(course_id: int, files: Files, media: dict[str, bytes],
                 actor_id: int | None) -> Files:
    """Store the zip's images in the course and point its lessons at them (flushes)."""
    missing = referenced(files) - set(media)
    if missing:
        raise DomainError(_("The zip's lessons show images it does not hold: %(names)s",
                            names=", ".join(sorted(missing)[:5])))
    if len(media) > MAX_IMAGES:
        raise DomainError(_("The zip holds more than %(count)d images.", count=MAX_IMAGES))
    alts: dict[str, str] = {}
    for path in _lessons(files):
        for match in IN_ZIP.finditer(files[path]):
            alts.setdefault(match[2], re.sub(r"\\(.)", r"\1", match[1]))
    urls = {}
    for name, data in sorted(media.items()):
        if name in alts:
            stored = store_image(course_id, data, alts[name], name, actor_id)
            urls[name] = media_url(stored)
    out = dict(files)
    for path in _lessons(files):
        out[path] = IN_ZIP.sub(lambda m: f"![{m[1]}]({urls[m[2]]})", files[path])
    return out
