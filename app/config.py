"""Configuration read from the environment, with safe defaults.

Only `Config` reads the environment; `TestConfig` is what the test suite
passes to `create_app`.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))


def normalise_database_url(url: str) -> str:
    """Route plain postgres URLs to psycopg 3, the driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into instance/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


class Config:
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'linli.db'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = None  # filled lazily in create_app so tests never touch instance/
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes")
    REGISTER_LIMIT_PER_IP = os.environ.get("REGISTER_LIMIT_PER_IP", "10 per hour")
    # inline "already registered" checks and failed registrations, together
    REGISTER_PROBE_LIMIT_PER_IP = os.environ.get("REGISTER_PROBE_LIMIT_PER_IP", "30 per hour")
    # a device that logged in to the account before (signed cookie) is held
    # to this instead of the account's and the address's limits
    LOGIN_LIMIT_PER_DEVICE = os.environ.get("LOGIN_LIMIT_PER_DEVICE", "5 per 15 minutes")
    DEVICE_COOKIE_LIFETIME = timedelta(days=int(os.environ.get("DEVICE_COOKIE_DAYS", "365")))
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")  # "json": one JSON line per request (app/requestlog.py)
    BABEL_DEFAULT_LOCALE = os.environ.get("PREFERRED_LOCALE", "zh_CN")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "app" / "translations")
    LANGUAGES = ("zh_CN", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE")  # on when served over HTTPS
    SESSION_COOKIE_NAME = "linli_session"
    # A login ends SESSION_LIFETIME after it began, or after SESSION_IDLE_TIMEOUT
    # without use (SESSION_IDLE_TIMEOUT_STAFF for anyone holding a role).
    SESSION_LIFETIME = timedelta(days=int(os.environ.get("SESSION_LIFETIME_DAYS", "30")))
    SESSION_IDLE_TIMEOUT = timedelta(days=int(os.environ.get("SESSION_IDLE_DAYS", "7")))
    SESSION_IDLE_TIMEOUT_STAFF = timedelta(hours=int(os.environ.get("SESSION_IDLE_HOURS_STAFF", "12")))
    PERMANENT_SESSION_LIFETIME = SESSION_LIFETIME  # the cookie lasts no longer than the session behind it
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600  # static URLs carry a content hash (static_url)
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # three 5 MB photos and the form around them
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    PREFERRED_URL_SCHEME = "https" if SESSION_COOKIE_SECURE else "http"
    DEMO_MODE = _flag("DEMO_MODE")
    # argon2-cffi defaults (argon2id, RFC 9106 low-memory profile) in production
    PASSWORD_HASH_PROFILE = "default"
    PROXY_FIX = _flag("PROXY_FIX")
    # Absolute links (QR codes, certificates) use PUBLIC_BASE_URL, e.g.
    # https://linli.example.org; TRUSTED_HOSTS (comma-separated) makes Flask
    # refuse requests for any other Host.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/") or None
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    # the most verified service one volunteer can be credited for one day (四眼原则: a ceiling no single
    # staff member can raise; an operator can, for example for a 24-hour flood watch)
    TIMEBANK_DAY_CEILING_HOURS = int(os.environ.get("TIMEBANK_DAY_CEILING_HOURS", "12"))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    WTF_CSRF_ENABLED = True
    DEMO_MODE = False
    PASSWORD_HASH_PROFILE = "fast"  # tests hash hundreds of passwords
    SERVER_NAME = None
    PUBLIC_BASE_URL = None
    TRUSTED_HOSTS = None
