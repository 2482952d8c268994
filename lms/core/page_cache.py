"""Anonymous pages, cached: by proxies and browsers, and rendered once per worker.

The catalogue, a course outline, the glossary, the support page and a certificate's
verification page are the same for every visitor who is not signed in. For them:

- `Cache-Control: public, max-age=60` and an ETag (a repeat visit costs a 304), so nginx
  or a browser on a slow connection need not ask again for a minute;
- the rendered page is kept in the worker for as long, keyed by path and language, so
  serving it again costs no template or database work.

A signed-in person's pages, and any response that writes the session (a flashed
message, a CSRF token), are `private` and never stored. Content and certificate changes
call `changed()`; once that transaction commits, every worker on every host drops what
it holds (a shared generation number: Redis in the scaled profile, a file's
modification time on one host). A revoked certificate is therefore never shown valid
from a worker's cache; a proxy or browser may show the old page for up to a minute.
"""
from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import (
    Flask,
    Response,
    current_app,
    g,
    has_app_context,
    make_response,
    request,
    session,
)
from flask_babel import get_locale
from flask_login import current_user
from flask_sqlalchemy.session import Session as SessionBase

from lms.core.db import db

MAX_AGE = 60
MAX_ENTRIES = 2000  # a few pages × languages × recently verified certificates
PENDING = "lms_pages_changed"


@dataclass(frozen=True)
class Entry:
    generation: int
    expires: float
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]


def _store(app: Flask) -> dict:
    return app.extensions.setdefault("lms_page_cache", {})


def _generation_key(app: Flask) -> str:
    # Named by site, like the queue: several sites may share one Redis.
    return f"{app.config['JOBS_QUEUE']}:pages:generation"


def _generation_file(app: Flask) -> Path:
    return Path(app.instance_path) / "pages.generation"


def generation() -> int:
    """The shared number that changes whenever cached pages must be dropped."""
    app = current_app
    redis = app.extensions.get("lms_redis")
    if redis is not None:
        return int(redis.get(_generation_key(app)) or 0)
    try:
        return os.stat(_generation_file(app)).st_mtime_ns
    except FileNotFoundError:
        return 0


def _bump(app: Flask) -> None:
    redis = app.extensions.get("lms_redis")
    if redis is not None:
        redis.incr(_generation_key(app))
        return
    path = _generation_file(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    # Strictly later than before, even within one tick of the file system's clock.
    stamp = max(time.time_ns(), generation() + 1)
    os.utime(path, ns=(stamp, stamp))


def changed() -> None:
    """Called by services that change what an anonymous page shows: after the commit,
    cached copies are dropped everywhere (a rollback drops nothing)."""
    db.session.info[PENDING] = True


def memo(key: tuple, build: Callable, *, keep_none: bool = True):
    """A value built from published content, kept in the worker until the content
    changes (the same generation as the pages) or MAX_AGE passes. Keep values plain and
    immutable: ORM objects belong to one request's session."""
    store = current_app.extensions.setdefault("lms_memo", {})
    current = generation()
    held = store.get(key)
    if held and held[0] == current and held[1] > time.monotonic():
        return held[2]
    value = build()
    if value is None and not keep_none:
        return None
    if len(store) >= MAX_ENTRIES:
        store.clear()
    store[key] = (current, time.monotonic() + MAX_AGE, value)
    return value


def _cacheable_request() -> bool:
    return (request.method in ("GET", "HEAD") and not current_user.is_authenticated
            and not session)


def anonymous_page(view: Callable) -> Callable:
    """Serve this view's anonymous responses from the worker's cache, and let proxies
    keep them for MAX_AGE seconds."""
    @functools.wraps(view)
    def cached_view(*args, **kwargs):
        if not _cacheable_request():
            return view(*args, **kwargs)
        g.lms_public_page = True
        store = _store(current_app)
        key = (request.full_path, str(get_locale()))
        current = generation()
        entry = store.get(key)
        if entry and entry.generation == current and entry.expires > time.monotonic():
            return Response(entry.body, status=entry.status, headers=list(entry.headers))
        response = make_response(view(*args, **kwargs))
        if (response.status_code == 200 and not session.modified and not response.is_streamed
                and "Set-Cookie" not in response.headers):
            response.add_etag()
            if len(store) >= MAX_ENTRIES:
                store.clear()
            store[key] = Entry(current, time.monotonic() + MAX_AGE, response.get_data(),
                               200, tuple(response.headers.items()))
        return response
    return cached_view


def init_app(app: Flask) -> None:
    @app.after_request
    def cache_headers(response: Response) -> Response:
        if request.endpoint == "static" or "Cache-Control" in response.headers:
            return response
        if (g.get("lms_public_page") and response.status_code == 200
                and not session and not session.modified):
            response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
            response.vary.update(("Accept-Language", "Cookie"))
            if not response.get_etag()[0] and not response.is_streamed:
                response.add_etag()
            return response.make_conditional(request)
        if current_user.is_authenticated or session:
            response.headers["Cache-Control"] = "private, no-cache"
        return response



@sa.event.listens_for(SessionBase, "after_commit")
def _drop_cached_pages(session_) -> None:
    if session_.info.pop(PENDING, False) and has_app_context():
        _bump(current_app)


@sa.event.listens_for(SessionBase, "after_soft_rollback")
def _keep_cached_pages(session_, previous_transaction) -> None:
    # Every rollback() call, even with no statement run yet; a savepoint's rollback
    # keeps the flag (dropping pages once too often costs only a render).
    if not previous_transaction.nested:
        session_.info.pop(PENDING, None)
