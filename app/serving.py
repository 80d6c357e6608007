"""Checks on how the app is served (gunicorn hooks; see gunicorn.conf.py).

Flask-Limiter's `memory://` storage keeps its counters inside one process:
with several gunicorn workers each worker counts on its own, so an account
gets five failed logins per worker instead of five in all (four workers, 20
guesses). Several workers need a shared storage (redis://…)."""
from __future__ import annotations

MEMORY = "memory://"


def limits_problem(workers: int, storage_uri: str) -> str | None:
    """Why these settings would weaken the rate limits, or None."""
    if workers > 1 and storage_uri.startswith(MEMORY):
        return (f"RATELIMIT_STORAGE_URI is {storage_uri!r} with {workers} workers: each worker would count "
                f"failed logins on its own ({workers} times the limit). Set RATELIMIT_STORAGE_URI to a shared "
                f"storage such as redis://127.0.0.1:6379, or run a single worker (-w 1).")
    return None


def on_starting(server) -> None:
    """gunicorn hook: refuse to start several workers with per-process limits."""
    from app.config import Config

    if problem := limits_problem(server.cfg.workers, Config.RATELIMIT_STORAGE_URI):
        server.log.error("refusing to start: %s", problem)
        raise SystemExit(1)


def nworkers_changed(server, new_value: int, old_value) -> None:
    """gunicorn hook: workers added at run time (TTIN) get the same warning, loudly."""
    from app.config import Config

    if problem := limits_problem(new_value, Config.RATELIMIT_STORAGE_URI):
        server.log.error("rate limits weakened: %s", problem)
