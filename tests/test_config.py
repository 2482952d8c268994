"""Configuration means what it says: typed values, one clear line for a bad one, the
https settings, and a scaled profile (LMS_REDIS_URL) that boots and uses Redis."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lms import create_app
from lms.config import ConfigError, load_config
from tests.fixtures.courses import ROOT

pytestmark = pytest.mark.no_db


def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    return {**env, "LMS_SECRET_KEY": "x", "LMS_INSTANCE_PATH": "/nonexistent/instance",
            **values}


@pytest.fixture
def environ(monkeypatch):
    for key in [k for k in os.environ if k.startswith("LMS_")]:
        monkeypatch.delenv(key)
    return monkeypatch


def test_environment_values_are_typed(environ):
    environ.setenv("LMS_MAX_CONTENT_LENGTH", "1000")
    environ.setenv("LMS_SESSION_COOKIE_SECURE", "false")
    environ.setenv("LMS_PROXY_HOPS", "1")
    environ.setenv("LMS_CERTIFICATE_PREFIX", "0042")  # text stays text
    environ.setenv("LMS_BASE_URL", "https://learn.example.org")
    config = load_config()
    assert config["MAX_CONTENT_LENGTH"] == 1000
    assert config["SESSION_COOKIE_SECURE"] is False  # was read as true
    assert config["PROXY_HOPS"] == 1
    assert config["CERTIFICATE_PREFIX"] == "0042"


def test_a_small_max_content_length_gives_413_not_500(environ):
    environ.setenv("LMS_MAX_CONTENT_LENGTH", "1000")
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "DATABASE_URL": "sqlite:///:memory:"})
    response = app.test_client().post("/login", data={"email": "a" * 5000, "password": "x"})
    assert response.status_code == 413


@pytest.mark.parametrize("name, value, message", [
    ("LMS_MAX_CONTENT_LENGTH", "abc", "LMS_MAX_CONTENT_LENGTH: expected a whole number"),
    ("LMS_MAX_CONTENT_LENGTH", "0", "LMS_MAX_CONTENT_LENGTH: must be at least 1"),
    ("LMS_SESSION_COOKIE_SECURE", "maybe", "LMS_SESSION_COOKIE_SECURE: expected true or false"),
    ("LMS_IDLE_TIMEOUT", "true", "LMS_IDLE_TIMEOUT: expected a whole number"),
    ("LMS_BASE_URL", "learn.example.org", "LMS_BASE_URL: expected an http:// or https://"),
])
def test_a_bad_value_stops_start_up_with_one_line_naming_it(name, value, message):
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT,
                            capture_output=True, text=True, env=_env(**{name: value}))
    assert result.returncode == 3
    assert result.stderr.strip().startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # no traceback


def test_a_typo_in_config_toml_is_named(tmp_path, environ):
    import lms.config as config_module

    (tmp_path / "config.toml").write_text('base_ulr = "https://learn.example.org"\n')
    environ.setattr(config_module, "INSTANCE", tmp_path)
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert "unknown setting 'base_ulr'" in str(raised.value)
    (tmp_path / "config.toml").write_text('idle_timeout = "long"\n')
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert "config.toml: idle_timeout: expected a whole number" in str(raised.value)
    (tmp_path / "config.toml").write_text('idle_timeout = 600\nproxy_hops = 1\n')
    config = load_config()
    assert (config["IDLE_TIMEOUT"], config["PROXY_HOPS"]) == (600, 1)


def test_https_base_url_means_host_cookie_secure_and_hsts(environ):
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "DATABASE_URL": "sqlite:///:memory:",
                      "BASE_URL": "https://learn.example.org"})
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login", base_url="https://learn.example.org")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie and "HttpOnly" in cookie


def test_http_base_url_sends_no_hsts(environ):
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "DATABASE_URL": "sqlite:///:memory:",
                      "BASE_URL": "http://lms.example.org"})
    response = app.test_client().get("/login")
    assert "Strict-Transport-Security" not in response.headers
    assert app.config["SESSION_COOKIE_NAME"] == "session"


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        client.ping()
    except redis.ConnectionError:
        if os.environ.get("LMS_TEST_DATABASE_URL", "").startswith("postgresql"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return client


def test_the_scaled_profile_boots_and_counts_in_redis(environ, tmp_path):
    redis = _redis_or_skip()
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi; c = wsgi.app.test_client(); "
         "print(c.get('/healthz').status_code, c.get('/login').status_code)"],
        cwd=ROOT, capture_output=True, text=True,
        env=_env(LMS_REDIS_URL="redis://127.0.0.1:6379/0",
                 LMS_DATABASE_URL=f"sqlite:///{tmp_path / 'boot.sqlite3'}"))
    assert result.returncode == 0, result.stderr  # it used to stop at "No module redis"
    assert result.stdout.split() == ["200", "200"]
    app = create_app({"SECRET_KEY": "x", "TESTING": True, "DATABASE_URL": "sqlite:///:memory:",
                      "REDIS_URL": "redis://127.0.0.1:6379/0", "JOBS_QUEUE": "lms-test-boot"})
    from lms.core import throttle

    with app.test_request_context():
        throttle.clear("boot-check")
        assert [throttle.take("boot-check", 2, 60).allowed for _ in range(3)] == \
            [True, True, False]
        assert redis.exists("lms-test-boot:throttle:boot-check")
        throttle.clear("boot-check")
