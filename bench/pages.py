"""Page weight and server time for the pages residents open most.

    .venv/bin/python bench/pages.py [--requests 200]

Builds a throwaway SQLite database with the demo data, then for each page
prints the HTML size (raw and gzip), the median and p95 server time over N
requests through the WSGI app (no network), and the size of the static assets
a first visit downloads. Figures go in the README's performance section.
"""
from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.config import TestConfig  # noqa: E402
from app.extensions import db  # noqa: E402

# (path, as a logged-in verified resident?)
PAGES = [("/", False), ("/c/1", False), ("/login", False), ("/register", False), ("/display", False),
         ("/c/1/topics", False), ("/topics/1", False), ("/c/1/topics?q=电梯", False),
         ("/", True), ("/account", True), ("/notifications", True), ("/topics/1", True),
         ("/my/timebank", True), ("/my/timebank/statement", True), ("/my/timebank/statement.xlsx", True),
         ("/c/1/activities", False)]
ASSETS = ["static/vendor/pico-2.1.1.min.css", "static/css/app.css", "static/vendor/htmx-2.0.11.min.js",
          "static/js/app.js"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
        config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/bench.db", PASSWORD_HASH_PROFILE="default",
                      WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
        app = create_app(config)
        with app.app_context():
            upgrade()
            from app import demo

            demo.seed()
            db.session.commit()
        anonymous, resident = app.test_client(), app.test_client()
        resident.post("/login", data={"login": "13800000001", "password": "linli-demo-2026"})
        print(f"{'page':<22}{'html B':>9}{'gzip B':>9}{'p50 ms':>9}{'p95 ms':>9}")
        for path, logged_in in PAGES:
            client = resident if logged_in else anonymous
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
            body = response.get_data()
            assert response.status_code == 200, (path, response.status_code)
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            label = f"{path} ({'resident' if logged_in else 'public'})"
            print(f"{label:<22}{len(body):>9}{len(gzip.compress(body)):>9}{statistics.median(times):>9.2f}{p95:>9.2f}")
        root = Path(__file__).resolve().parent.parent
        total = total_gz = 0
        print(f"\n{'asset':<40}{'bytes':>9}{'gzip':>9}")
        for asset in ASSETS:
            data = (root / asset).read_bytes()
            total, total_gz = total + len(data), total_gz + len(gzip.compress(data))
            print(f"{asset:<40}{len(data):>9}{len(gzip.compress(data)):>9}")
        print(f"{'first visit static total':<40}{total:>9}{total_gz:>9}")


if __name__ == "__main__":
    main()
