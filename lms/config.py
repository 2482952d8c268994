"""Configuration from LMS_* environment variables and instance/config.toml."""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("LMS_INSTANCE_PATH", ROOT / "instance"))
SECRET_KEY_FILE = INSTANCE / "secret_key"


def _from_file() -> dict:
    path = INSTANCE / "config.toml"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return {k.upper(): v for k, v in tomllib.load(fh).items()}


def load_config(overrides: dict | None = None) -> dict:
    """Build the Flask config: defaults < instance/config.toml < LMS_* env < overrides."""
    config: dict = {
        "DATABASE_URL": f"sqlite:///{INSTANCE / 'lms.sqlite3'}",
        "BASE_URL": "http://127.0.0.1:5000",
        "REDIS_URL": None,
        "COURSES_DIR": str(ROOT / "courses"),
        "CERTIFICATES_DIR": str(ROOT / "certificates"),
    }
    config.update(_from_file())
    for key, value in os.environ.items():
        if key.startswith("LMS_") and key not in ("LMS_INSTANCE_PATH",):
            config[key[4:]] = value
    config.update(overrides or {})

    if not config.get("SECRET_KEY") and SECRET_KEY_FILE.exists():
        config["SECRET_KEY"] = SECRET_KEY_FILE.read_text().strip()

    url = config["DATABASE_URL"]
    if url.startswith("postgresql://"):  # use psycopg 3, not the psycopg2 default
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    config["SQLALCHEMY_DATABASE_URI"] = url
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(url))
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_SECURE", config["BASE_URL"].startswith("https://"))
    config.setdefault("REMEMBER_COOKIE_SAMESITE", "Lax")
    config.setdefault("WTF_CSRF_TIME_LIMIT", 8 * 3600)
    config.setdefault("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "memory://")
    config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    config.setdefault("LOGIN_RATE_LIMIT", "10 per minute")  # failed sign-ins, per address
    config.setdefault("IDLE_TIMEOUT_ADMIN", 30 * 60)
    config.setdefault("IDLE_TIMEOUT", 8 * 3600)
    config.setdefault("PROXY_HOPS", 0)  # reverse proxies in front of gunicorn
    for key in ("IDLE_TIMEOUT_ADMIN", "IDLE_TIMEOUT", "PROXY_HOPS"):
        config[key] = int(config[key])  # environment values arrive as text
    config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "lms" / "translations"))
    return config


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        # A waiting writer retries for 15 s instead of failing with "database is locked".
        return {"connect_args": {"timeout": 15, "check_same_thread": False}}
    return {"pool_pre_ping": True}
