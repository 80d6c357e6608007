"""gunicorn settings read from the working directory (`gunicorn wsgi:app`)."""
from app.serving import nworkers_changed, on_starting  # noqa: F401  (hooks gunicorn calls)
