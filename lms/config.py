"""Typed configuration: defaults < instance/config.toml < LMS_* environment < overrides.

Values are read with Flask's own loaders (`Config.from_file` with tomllib and
`Config.from_prefixed_env`, which parses JSON: `1000` is a number, `false` a
boolean), then every known setting is checked against its type. A bad value
stops start-up with one line that names the variable, instead of a 500 on the
first request that uses it.
"""
from __future__ import annotations

import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Config

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("LMS_INSTANCE_PATH", ROOT / "instance"))
SECRET_KEY_FILE = INSTANCE / "secret_key"
PREFIX = "LMS"


class ConfigError(SystemExit):
    """A setting with a value that cannot work. It prints its one line to stderr and
    exits with status 3, which gunicorn takes as "do not start more workers" (any other
    status and it would restart the failing worker for ever)."""

    def __init__(self, message: str):
        super().__init__(3)
        self.message = message
        print(message, file=sys.stderr)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type  # str, int, bool
    default: Any
    help: str
    minimum: int | None = None
    maximum: int | None = None


SETTINGS = {s.name: s for s in [
    Setting("DATABASE_URL", str, f"sqlite:///{INSTANCE / 'lms.sqlite3'}",
            "SQLAlchemy URL; postgresql://… uses psycopg 3"),
    Setting("SECRET_KEY", str, None, "generated into instance/secret_key by `flask setup`"),
    Setting("BASE_URL", str, "http://127.0.0.1:5000",
            "public address, printed in certificate QR codes"),
    Setting("REDIS_URL", str, None, "Redis for jobs and rate limits (scaled profile)"),
    # Per process; see deploy/README.md for how they add up against max_connections.
    Setting("DB_POOL_SIZE", int, 5, "PostgreSQL connections each process keeps open", 1, 100),
    Setting("DB_MAX_OVERFLOW", int, 5, "extra PostgreSQL connections a process may open", 0,
            100),
    Setting("DEMO", bool, False, "demo mode: allows a loopback BASE_URL on certificates"),
    Setting("COURSES_DIR", str, str(ROOT / "courses"), "course files"),
    Setting("CERTIFICATES_DIR", str, str(ROOT / "certificates"), "certificate templates"),
    Setting("CERTIFICATE_PREFIX", str, "CoE", "serials look like CoE-2026-000042"),
    Setting("CREDENTIAL_KEYS_DIR", str, str(INSTANCE / "credential-keys"),
            "private keys that sign Open Badges credentials (made by `flask setup`)"),
    Setting("ISSUER_NAME", str, "Centre of Excellence on Trafficking in Persons",
            "the issuer named in every certificate and credential"),
    Setting("PROXY_HOPS", int, 0, "reverse proxies in front (trust X-Forwarded-*)", 0),
    Setting("LOGIN_LIMIT_PER_ADDRESS", int, 10, "failed sign-ins per address per minute", 1),
    Setting("LOGIN_LIMIT_PER_ACCOUNT", int, 100, "failed sign-ins per account per hour", 1),
    Setting("VERIFY_LIMIT_PER_ADDRESS", int, 60, "certificate checks per address per minute",
            1),
    Setting("IDLE_TIMEOUT_ADMIN", int, 30 * 60, "seconds idle before an admin is signed out",
            60),
    Setting("IDLE_TIMEOUT", int, 8 * 3600, "seconds idle before others are signed out", 60),
    Setting("SESSION_LIFETIME", int, 12 * 3600, "seconds a sign-in lasts, whatever the activity",
            60),
    Setting("MAX_CONTENT_LENGTH", int, 2 * 1024 * 1024, "largest request body in bytes", 1),
    Setting("SESSION_COOKIE_SECURE", bool, None, "defaults to true when BASE_URL is https"),
    Setting("JOBS_IMMEDIATE", bool, False, "run background jobs inside the request (tests)"),
    Setting("MAIL_URL", str, None, "SMTP server for email, e.g. smtp://user:pass@host:587 "
            "(smtps:// for TLS); unset: messages go to the outbox in instance/"),
    Setting("MAIL_FROM", str, "CoE Learning <no-reply@localhost>", "sender of every email"),
    Setting("MAIL_OUTBOX", str, str(INSTANCE / "outbox"),
            "folder the embedded profile writes emails to (admins read them on a page)"),
    Setting("JOBS_FILE", str, str(INSTANCE / "jobs.sqlite3"),
            "the embedded job queue (when REDIS_URL is not set)"),
    Setting("JOBS_QUEUE", str, "lms", "queue name, so several sites can share one Redis"),
    # At most 1,000: a batch is one INSERT, and SQLite takes 32,766 values in one.
    Setting("RENDER_PROCESSES", int, min(2, os.cpu_count() or 1),
            "processes that render certificate PDFs in bulk (1: in the worker itself)", 1,
            32),
    Setting("ISSUE_BATCH", int, 200, "certificates issued per transaction by a job", 1, 1000),
    Setting("JOB_LEASE_SECONDS", int, 60,
            "a running job not heard from for this long is started again", 2),
    Setting("REPORT_MIN_CELL", int, 5, "programme reports show counts under this as \"<5\"",
            2, 100),
    Setting("BABEL_DEFAULT_LOCALE", str, "en", "language for visitors without a choice"),
    Setting("BABEL_DEFAULT_TIMEZONE", str, "UTC", "time zone for people without one"),
]}

_BOOL_WORDS = {"true": True, "yes": True, "on": True, "1": True,
               "false": False, "no": False, "off": False, "0": False}


def _check(setting: Setting, value: Any, origin: str) -> Any:
    """The value as its setting's type, or ConfigError naming where it came from."""
    if value is None:
        return None
    if setting.kind is bool:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _BOOL_WORDS:
            return _BOOL_WORDS[word]
        raise ConfigError(f"{origin}: expected true or false, got {value!r}")
    if setting.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{origin}: expected a whole number ({setting.help}), "
                              f"got {value!r}")
        if setting.minimum is not None and value < setting.minimum:
            raise ConfigError(f"{origin}: must be at least {setting.minimum}, got {value}")
        if setting.maximum is not None and value > setting.maximum:
            raise ConfigError(f"{origin}: must be at most {setting.maximum}, got {value}")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"{origin}: expected text, got {value!r}")
    return value


def _read_toml(fh) -> dict:
    return {key.upper(): value for key, value in tomllib.load(fh).items()}


def _sources() -> tuple[dict[str, Any], dict[str, str]]:
    """Values from instance/config.toml and LMS_* variables, and where each came from."""
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    path = INSTANCE / "config.toml"
    if path.exists():
        from_file = Config(str(INSTANCE))
        try:
            from_file.from_file(str(path), load=_read_toml, text=False)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{path}: invalid TOML: {error}") from None
        for key, value in from_file.items():
            if key not in SETTINGS:
                raise ConfigError(f"{path}: unknown setting {key.lower()!r}")
            values[key], origins[key] = value, f"{path}: {key.lower()}"
    from_env = Config(str(INSTANCE))
    from_env.from_prefixed_env(PREFIX)
    for key, value in from_env.items():
        setting = SETTINGS.get(key)
        if setting is None:
            continue  # LMS_BIND, LMS_WORKERS… belong to gunicorn and the tests
        if setting.kind is str:
            value = os.environ[f"{PREFIX}_{key}"]  # text stays text: "0123" is not 123
        values[key], origins[key] = value, f"{PREFIX}_{key}"
    return values, origins


def load_config(overrides: dict | None = None) -> dict:
    """The Flask config, checked; raises ConfigError (a one-line exit) on a bad value."""
    values, origins = _sources()
    for key, value in (overrides or {}).items():
        values[key], origins[key] = value, f"setting {key}"
    config: dict[str, Any] = {}
    for name, setting in SETTINGS.items():
        config[name] = (_check(setting, values[name], origins[name]) if name in values
                        else setting.default)
    config.update({k: v for k, v in values.items() if k not in SETTINGS})

    base = urlsplit(config["BASE_URL"])
    if base.scheme not in ("http", "https") or not base.netloc:
        raise ConfigError(f"{origins.get('BASE_URL', 'BASE_URL')}: expected an http:// or "
                          f"https:// address, got {config['BASE_URL']!r}")
    if not config.get("SECRET_KEY") and SECRET_KEY_FILE.exists():
        config["SECRET_KEY"] = SECRET_KEY_FILE.read_text().strip()

    url = config["DATABASE_URL"]
    if url.startswith("postgresql://"):  # use psycopg 3, not the psycopg2 default
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    config["SQLALCHEMY_DATABASE_URI"] = url
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(url, config))
    _cookie_settings(config, https=base.scheme == "https")
    config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "lms" / "translations"))
    return config


def _cookie_settings(config: dict, *, https: bool) -> None:
    """HttpOnly and SameSite always; over https also Secure and the __Host- prefix, which
    browsers accept only from a secure origin, for path / and without a domain."""
    if config["SESSION_COOKIE_SECURE"] is None:
        config["SESSION_COOKIE_SECURE"] = https
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    if config["SESSION_COOKIE_SECURE"]:
        config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        config.setdefault("SESSION_COOKIE_PATH", "/")
        config["SESSION_COOKIE_DOMAIN"] = None
    config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    config.setdefault("REMEMBER_COOKIE_SECURE", config["SESSION_COOKIE_SECURE"])


def _engine_options(url: str, config: dict) -> dict:
    if url.startswith("sqlite"):
        # A waiting writer retries for 15 s instead of failing with "database is locked".
        return {"connect_args": {"timeout": 15, "check_same_thread": False}}
    # pre_ping: a connection PostgreSQL or a pooler closed is replaced, not an error;
    # recycle: none is older than 30 minutes; timeout: a request waiting for a free
    # connection fails after 10 s instead of hanging until the worker is killed.
    return {"pool_pre_ping": True, "pool_size": config["DB_POOL_SIZE"],
            "max_overflow": config["DB_MAX_OVERFLOW"], "pool_recycle": 1800,
            "pool_timeout": 10}
