"""gunicorn settings, read by `gunicorn wsgi:app` from this folder and by `python3 dev.py run`.

Workers follow the cores. Rate limits (login, registration) are counted in
RATELIMIT_STORAGE_URI; with the default in-memory storage each worker process
would count on its own, so without a shared store (Redis) one process serves
with threads instead, and several workers on memory:// refuse to start
(app/serving.py). Override with WEB_CONCURRENCY / GUNICORN_THREADS / BIND.
"""
import multiprocessing
import os

from app.serving import nworkers_changed, on_starting  # noqa: F401  (hooks gunicorn calls)

_cores = multiprocessing.cpu_count()
_shared_limits = not os.environ.get("RATELIMIT_STORAGE_URI", "memory://").startswith("memory://")

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", _cores if _shared_limits else 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1 if _shared_limits else 2 * _cores + 1))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then so a slow leak never grows
max_requests_jitter = 500
accesslog = None if os.environ.get("LOG_FORMAT") == "json" else "-"  # JSON: the app logs each request
errorlog = "-"
# the path without its query string: what staff type into a search (a phone number) stays out of the log
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
