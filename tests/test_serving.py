"""Serving checks: several gunicorn workers with per-process rate limits refuse to start."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.serving import limits_problem

ROOT = Path(__file__).resolve().parent.parent


def test_memory_limits_are_refused_with_several_workers_only():
    assert limits_problem(4, "memory://") and "redis://" in limits_problem(4, "memory://")
    assert limits_problem(1, "memory://") is None
    assert limits_problem(4, "redis://127.0.0.1:6379") is None


@pytest.mark.parametrize("storage, workers, refused", [("memory://", "2", True), ("memory://", "1", False)])
def test_gunicorn_refuses_to_start_several_workers_on_memory_storage(tmp_path, storage, workers, refused):
    pytest.importorskip("gunicorn")
    env = {**os.environ, "RATELIMIT_STORAGE_URI": storage, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
           "SECRET_KEY": "test", "INSTANCE_PATH": str(tmp_path)}
    env.pop("GUNICORN_CMD_ARGS", None)
    env.pop("WEB_CONCURRENCY", None)
    # the hook runs as the server starts: start for real, and stop it when it is allowed to run
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", workers, "-b", "127.0.0.1:0", "wsgi:app"],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    booted = threading.Event()

    def read():
        for line in process.stdout:
            lines.append(line)
            if "Booting worker" in line:
                booted.set()
        booted.set()  # the server exited

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    booted.wait(timeout=30)  # refused: it exits at once; allowed: stop it once a worker is up
    if process.poll() is None:
        process.terminate()
    process.wait(timeout=30)
    reader.join(timeout=5)
    process.stdout.close()
    output = "".join(lines)
    if refused:
        assert process.returncode == 1 and "refusing to start" in output and "redis://" in output
    else:
        assert "refusing to start" not in output and "Booting worker" in output
