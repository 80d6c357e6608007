"""Password hashing (argon2id) and the password policy.

Policy after NIST SP 800-63B: at least 8 characters, not a common password,
not the person's own login; no composition rules, paste allowed.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128


@lru_cache(maxsize=2)
def _hasher(profile: str) -> PasswordHasher:
    if profile == "fast":  # tests only: same algorithm, tiny cost
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()  # argon2-cffi defaults: argon2id, RFC 9106 low-memory


def hasher() -> PasswordHasher:
    return _hasher(current_app.config.get("PASSWORD_HASH_PROFILE", "default"))


def hash_password(password: str) -> str:
    return hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


# A dummy hash so a login for an unknown account costs as much as a real one.
def burn_time(password: str) -> None:
    check_password(_dummy_hash(current_app.config.get("PASSWORD_HASH_PROFILE", "default")), password)


@lru_cache(maxsize=2)
def _dummy_hash(profile: str) -> str:
    return _hasher(profile).hash("not-a-real-password")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    return frozenset(
        line.strip().lower()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, logins: tuple[str, ...] = ()):
    """The reason this password is refused, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _l("The password must have at least %(n)d characters.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("The password can have at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or len(set(password)) == 1:
        return _l("This password is too common and easy to guess. Please choose another.")
    if any(login and lowered == login.lower() for login in logins):
        return _l("The password must not be your phone number or username.")
    return None
