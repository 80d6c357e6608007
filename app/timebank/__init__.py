"""The time bank (时间银行): residents' accounts, the double-entry balance
ledger with its service record, statements, grants and reversals, and the
management page. Volunteering (app.volunteering) credits hours through the
ledger; nothing here imports volunteering's services or views."""
from app.timebank import rules  # noqa: F401  (the package's permission rules, registered once)


def __getattr__(name: str):
    """`bp` on first use (other domains' models import this package's models)."""
    if name == "bp":
        from app.timebank import exchange_views  # noqa: F401  (help between neighbours, on the same blueprint)
        from app.timebank import manage_views  # noqa: F401  (the management routes, on the same blueprint)
        from app.timebank import family_views  # noqa: F401  (family: links, transfers, proxies, on the same blueprint)
        from app.timebank.views import bp

        return bp
    raise AttributeError(name)
