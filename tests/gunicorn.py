"""A real gunicorn with several workers on the test database, and a browser-like client
(cookies, CSRF token) for it: for what only shows with many processes."""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    return {**env, "LMS_DATABASE_URL": database_url, "LMS_SECRET_KEY": "multi-worker-test",
            "LMS_BASE_URL": "http://lms.example.org", **extra}


class Served(str):
    """A running gunicorn's base URL; `.process` is its master, leader of its process group
    (for a test that kills a host)."""

    process: subprocess.Popen


@contextmanager
def gunicorn(database_url: str, *, workers: int = 4, threads: int = 4, **env: str):
    """Serve the platform with gunicorn; yields its base URL; stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "-c", "deploy/gunicorn.conf.py", "--no-control-socket",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--access-logfile", "/dev/null", "wsgi:app"],
        cwd=ROOT, env=app_env(database_url, **env), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True)
    base = Served(f"http://127.0.0.1:{port}")
    base.process = process
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except (urllib.error.URLError, OSError):  # refused, or workers still booting
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.1)
        yield base
    finally:
        with suppress(ProcessLookupError):  # unless a test already killed it
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


class Browser:
    """One visitor: its own cookies, a CSRF token from the sign-in page."""

    def __init__(self, base: str, address: str | None = None):
        self.base = base
        self.address = address  # sent as X-Forwarded-For when the app trusts a proxy
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        if self.address:
            request.add_header("X-Forwarded-For", self.address)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def token(self) -> str:
        _status, page = self.get("/login")
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def sign_in(self, email: str, password: str, token: str | None = None) -> int:
        return self.post("/login", {"csrf_token": token or self.token(), "email": email,
                                    "password": password})[0]


def wrong_passwords_in_a_row(base: str, email: str, n: int, password: str) -> list[int]:
    """One visitor tries `n` times; the statuses (401 checked, 429 refused)."""
    browser = Browser(base)
    token = browser.token()
    return [browser.sign_in(email, password, token) for _ in range(n)]


def wrong_passwords_at_once(base: str, email: str, n: int, password: str) -> list[int]:
    """`n` visitors, each with its own session, released together by a barrier."""
    browsers = [Browser(base) for _ in range(n)]
    tokens = [b.token() for b in browsers]
    barrier, statuses = threading.Barrier(n), []

    def attempt(browser: Browser, token: str) -> None:
        barrier.wait()
        statuses.append(browser.sign_in(email, password, token))

    threads = [threading.Thread(target=attempt, args=pair)
               for pair in zip(browsers, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
