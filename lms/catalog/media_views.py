"""Serving course images from the database: immutable, never sniffed, never active."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, request
from flask_login import current_user

from lms.catalog.media import MediaFile, ascii_filename, can_view_media
from lms.catalog.models import Course
from lms.catalog.views import bp
from lms.core.access import public
from lms.core.db import db

YEAR = 31536000
# Even opened on its own (a new tab), the response can run nothing and load nothing.
MEDIA_CSP = "default-src 'none'; sandbox"


def _headers(media: MediaFile, cache_control: str) -> dict[str, str]:
    disposition = f'inline; filename="{ascii_filename(media.filename)}"'
    if not media.filename.isascii():
        disposition += f"; filename*=UTF-8''{quote(media.filename, safe='')}"
    return {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": MEDIA_CSP,
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": cache_control,
        "ETag": f'"{media.sha256}"',
    }


@bp.get("/media/<int:media_id>/<filename>")
@public
def media(media_id: int, filename: str):
    """A course image; its address names its content, so caches may keep it a year."""
    found = db.session.get(MediaFile, media_id)  # `data` is deferred: not loaded yet
    if found is None or found.filename != filename:
        abort(404)
    course = db.session.get(Course, found.course_id)
    if course is None or not can_view_media(current_user, course):
        abort(404)  # whether an archived course had images is not for everyone to know
    live = course.archived_at is None
    cache_control = f"public, max-age={YEAR}, immutable" if live else "private, no-cache"
    headers = _headers(found, cache_control)
    if request.if_none_match.contains_weak(found.sha256):
        return Response(status=304, headers=headers)
    return Response(found.data, mimetype=found.content_type, headers=headers)
