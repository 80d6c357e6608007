"""Volunteering (志愿服务): activities, sign-ups, check-in, certificates.
Hours are credited through the time bank's ledger, never the other way."""
from app.volunteering import rules  # noqa: F401  (the package's permission rules, registered once)


def __getattr__(name: str):
    """`bp` on first use: the ledger imports this package's models, and the views import the ledger."""
    if name == "bp":
        from app.volunteering.views import bp

        return bp
    raise AttributeError(name)
