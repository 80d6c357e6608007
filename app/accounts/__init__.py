"""Accounts: people, roles, login sessions, residence verification."""


def __getattr__(name: str):
    """`bp` on first use: other domains import this package's models and services."""
    if name == "bp":
        from app.accounts import admin_views  # noqa: F401  (the admin routes, on the same blueprint)
        from app.accounts.views import bp

        return bp
    raise AttributeError(name)
