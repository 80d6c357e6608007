"""In-app notifications that every domain creates."""


def __getattr__(name: str):
    """`bp` on first use: other domains import this package's models and services."""
    if name == "bp":
        from app.notifications.views import bp

        return bp
    raise AttributeError(name)
