#!/usr/bin/env python3
"""The two commands of the README, for a machine with only python3.

    python3 dev.py run   # virtualenv, pinned requirements, translations, migrations,
                         # demo data if the database is empty, then serve on 127.0.0.1:5000
                         # with gunicorn (gunicorn.conf.py: the same server as production)
    python3 dev.py dev   # the same, served by Flask's development server with the reloader
    python3 dev.py test  # the same environment plus test requirements, then the whole suite

Extra arguments after `test` go to pytest (e.g. `python3 dev.py test -k matrix`).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def sh(*args, env=None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_env(requirements: str) -> None:
    """Create the virtualenv and install pinned requirements (skipped when unchanged)."""
    if not PY.exists():
        print("Creating virtualenv in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    files = [ROOT / requirements, ROOT / "requirements.txt"]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{requirements}"
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"Installing {requirements} …", flush=True)
        sh(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", ROOT / requirements)
        stamp.write_text(digest)
    sh(PY, ROOT / "tools" / "i18n.py", "compile")


def run(reload: bool = False) -> None:
    ensure_env("requirements.txt")
    env = {**os.environ, "FLASK_APP": "wsgi", "DEMO_MODE": os.environ.get("DEMO_MODE", "1")}
    flask = [PY, "-m", "flask"]
    sh(*flask, "db", "upgrade", env=env)
    sh(*flask, "seed-demo", "--if-empty", env=env)
    if env["DEMO_MODE"] == "1":
        from_demo = "linli-demo-2026"
        print(f"\nDemo accounts (password for all: {from_demo}): admin, jiedao, shegong, weiyuan, minzheng,"
              " 13800000001 (verified resident), 13800000002 (unverified resident)")
    print("Serving on http://127.0.0.1:5000  (Ctrl+C to stop)\n", flush=True)
    if reload:
        os.execve(str(PY), [str(PY), "-m", "flask", "run", "--debug", "--host", "127.0.0.1", "--port", "5000"], env)
    os.execve(str(PY), [str(PY), "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"], env)


def test(extra: list[str]) -> None:
    ensure_env("requirements-dev.txt")
    args = [PY, "-m", "pytest", "-n", os.environ.get("PYTEST_WORKERS", "2"), "-p", "no:cacheprovider", *extra]
    result = subprocess.run([str(a) for a in args], cwd=ROOT)
    sys.exit(result.returncode)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "run":
        run()
    elif command == "dev":
        run(reload=True)
    elif command == "test":
        test(sys.argv[2:])
    else:
        sys.exit(__doc__)
