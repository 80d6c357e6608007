"""The audit log every service writes to."""


def __getattr__(name: str):
    """`bp` on first use: other domains import this package's models and services."""
    if name == "bp":
        from app.audit.views import bp

        return bp
    raise AttributeError(name)
