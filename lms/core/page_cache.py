"""Anonymous pages, cached: by proxies and browsers, and rendered once per worker.

The catalogue, a course outline, the glossary, the support page and a certificate's
verification page are the same for every visitor who is not signed in. For them:

- `Cache-Control: public, max-age=60` and an ETag (a repeat visit costs a 304), so nginx
  or a browser on a slow connection need not ask again for a minute; the verification
  page is `public, no-cache` (asked again each time, answered by a 304 or the cache);
- the rendered page is kept in the worker for as long, keyed by path and language, so
  serving it again costs no template or database work.

A signed-in person's pages, and any response that writes the session (a flashed
message, a CSRF token), are `private` and never stored. Content and certificate changes
call `changed()`; once that transaction commits, every worker on every host drops what
it holds (a shared generation number: Redis in the scaled profile, a file's
modification time on one host). A revoked certificate is therefore never shown valid,
by a worker or by a proxy; other pages may be a minute old in a proxy or browser.
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
from flask_login import current_user
from flask_sqlalchemy.session import Session as SessionBase
from redis.exceptions import RedisError

from lms.core.db import db
from lms.core.i18n import visitor_locale

MAX_AGE = 60
MAX_ENTRIES = 2000  # a few pages × languages × recently verified certificates
PENDING = "lms_pages_changed"


@dataclass(frozen=True)
class Entry:
    generation: int
    expires: float
    body: bytes  # of a 200 response
    headers: tuple[tuple[str, str], ...]


def _store(app: Flask) -> dict:
    return app.extensions.setdefault("lms_page_cache", {})


def _keep(store: dict, key: tuple, value) -> None:
    """Bounded: when full, start again (cheaper than an LRU, and rare)."""
    if len(store) >= MAX_ENTRIES:
        store.clear()
    store[key] = value


def _generation_key(app: Flask) -> str:
    # Named by site, like the queue: several sites may share one Redis.
    return f"{app.config['JOBS_QUEUE']}:pages:generation"


def _generation_file(app: Flask) -> Path:
    return Path(app.instance_path) / "pages.generation"


def generation() -> int | None:
    """The shared number that changes whenever cached pages must be dropped; read once
    per request. None when it cannot be read (Redis down): then nothing is served from
    the cache or stored, and pages are rendered as if there were no cache."""
    if "lms_generation" in g:
        return g.lms_generation
    app = current_app
    redis = app.extensions.get("lms_redis")
    if redis is not None:
        try:
            number = int(redis.get(_generation_key(app)) or 0)
        except RedisError:
            app.logger.warning("page cache off for this request: Redis did not answer")
            number = None
    else:
        try:
            number = os.stat(_generation_file(app)).st_mtime_ns
        except FileNotFoundError:
            number = 0
    g.lms_generation = number
    return number


def _bump(app: Flask) -> None:
    redis = app.extensions.get("lms_redis")
    if redis is not None:
        redis.incr(_generation_key(app))
    else:
        path = _generation_file(app)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        # Strictly later than before, even within one tick of the file system's clock.
        stamp = max(time.time_ns(), os.stat(path).st_mtime_ns + 1)
        os.utime(path, ns=(stamp, stamp))
    g.pop("lms_generation", None)  # the rest of this request reads the new number


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
    if current is None:
        return build()
    held = store.get(key)
    if held and held[0] == current and held[1] > time.monotonic():
        return held[2]
    value = build()
    if value is not None or keep_none:
        _keep(store, key, (current, time.monotonic() + MAX_AGE, value))
    return value


def _no_session() -> bool:
    # After signing out, Flask-Login's session protection leaves {"_fresh": False}:
    # nothing of the person's, so the page is still the same for everyone.
    return all(key == "_fresh" for key in session)


def _cacheable_request() -> bool:
    # No query string: the pages cached take none, and ?x=1…N must not fill the cache.
    return (request.method in ("GET", "HEAD") and not request.query_string
            and not current_user.is_authenticated and _no_session())


def _key() -> tuple[str, str]:
    # Only anonymous requests are cached, and their language is the visitor's: no need
    # to load the (absent) user through Flask-Babel's selector.
    return (request.full_path, visitor_locale())


def _fresh(entry: Entry | None) -> bool:
    return (entry is not None and entry.expires > time.monotonic()
            and entry.generation is not None and entry.generation == generation())


VARY = ("Accept-Language", "Cookie")  # the language comes from the one or the other


def _replay(entry: Entry) -> Response:
    """The stored page, with its public cache headers (so cache_headers leaves it be)."""
    response = Response(entry.body, headers=list(entry.headers))
    return response.make_conditional(request)


def anonymous_page(view: Callable | None = None, *, guard: Callable[[], None] | None = None,
                   shared: bool = True):
    """Serve this view's anonymous responses from the worker's cache, and let proxies
    keep them for MAX_AGE seconds (`shared=False`: proxies and browsers must ask again
    each time, with the ETag; a certificate's status must not be a minute old). `guard`
    runs before any answer, cached or not (the verification page's rate limit): it
    aborts to refuse."""
    control = f"public, max-age={MAX_AGE}" if shared else "public, no-cache"

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def cached_view(*args, **kwargs):
            if guard is not None:
                guard()
            if not _cacheable_request():
                return view(*args, **kwargs)
            g.lms_public_page = control
            store, key = _store(current_app), _key()
            entry = store.get(key)
            if _fresh(entry):
                return _replay(entry)
            current = generation()
            response = make_response(view(*args, **kwargs))
            if (current is not None and response.status_code == 200 and not session.modified
                    and not response.is_streamed and "Set-Cookie" not in response.headers):
                response.add_etag()
                _keep(store, key, Entry(current, time.monotonic() + MAX_AGE,
                                        response.get_data(), (*response.headers.items(),
                                                              ("Cache-Control", control),
                                                              ("Vary", ", ".join(VARY)))))
            return response
        cached_view.lms_page_guard = guard  # for the early answer in init_app
        return cached_view
    return decorate(view) if view is not None else decorate


def _answer_early(app: Flask):
    """A cached anonymous page, answered before the per-person work starts (session,
    user loading, idle limits): for a visitor with no session cookie none of it can
    change the answer. Everything after the view still runs (headers, compression)."""
    signed_in = (app.config["SESSION_COOKIE_NAME"],
                 app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))

    def answer_early():
        if (request.method not in ("GET", "HEAD") or request.query_string
                or any(c in request.cookies for c in signed_in)):
            return None
        view = app.view_functions.get(request.endpoint)
        if not hasattr(view, "lms_page_guard"):
            return None
        entry = _store(app).get(_key())
        if not _fresh(entry):
            return None  # the view renders it, and stores it
        if view.lms_page_guard is not None:
            view.lms_page_guard()
        return _replay(entry)
    return answer_early


def init_app(app: Flask) -> None:
    # First of all before_request functions (registered before this one or after).
    app.before_request_funcs.setdefault(None, []).insert(0, _answer_early(app))

    @app.after_request
    def cache_headers(response: Response) -> Response:
        if request.endpoint == "static" or "Cache-Control" in response.headers:
            return response
        if not current_user.is_authenticated and session and _no_session():
            session.clear()  # the cookie goes, and this browser gets cached pages again
        if (g.get("lms_public_page") and response.status_code == 200
                and _no_session() and not session.modified):
            response.headers["Cache-Control"] = g.lms_public_page
            response.vary.update(VARY)
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
