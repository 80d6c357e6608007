"""Volunteering (志愿服务): activities, sign-ups, check-in, certificates.
Hours are credited through the time bank's ledger, never the other way."""
from app.volunteering import hours  # noqa: F401  (registers an activity's rules and credits with the ledger)
from app.volunteering import rules  # noqa: F401  (the package's permission rules, registered once)
from app.blueprints import DomainBlueprint
from app.timebank import exchange
from app.volunteering.services import volunteers_with_skill

exchange.register_skill_lookup(volunteers_with_skill)

bp = DomainBlueprint("volunteering", __name__, views=(".views",))
