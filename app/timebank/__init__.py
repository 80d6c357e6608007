"""The time bank (时间银行): residents' accounts, the double-entry balance
ledger with its service record, statements, grants and reversals, and the
management page. Volunteering (app.volunteering) credits hours through the
ledger; nothing here imports volunteering (app.volunteering.hours registers
what an activity adds to the ledger's service rules)."""
from app.timebank import rules  # noqa: F401  (the package's permission rules, registered once)
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("timebank", __name__, views=(".views", ".manage_views", ".family_views", ".exchange_views"))
