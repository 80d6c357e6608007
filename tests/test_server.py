"""The production server settings (gunicorn.conf.py), which `python3 dev.py run` uses too."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def _settings(env: dict) -> dict:
    code = "import runpy, json; s = runpy.run_path('gunicorn.conf.py'); " \
           "print(json.dumps({k: s[k] for k in ('workers', 'threads', 'worker_class')}))"
    import json

    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                         capture_output=True, text=True, timeout=30, check=True)
    return json.loads(out.stdout)

def test_without_shared_rate_limits_one_process_serves_with_threads():
    settings = _settings({"RATELIMIT_STORAGE_URI": "memory://"})
    assert settings["workers"] == 1 and settings["threads"] > 1 and settings["worker_class"] == "gthread"

def test_with_redis_workers_follow_the_cores():
    settings = _settings({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379"})
    assert settings["workers"] == os.cpu_count() and settings["threads"] == 1
