"""Two-way evaluation (双向评估): once a year the subdistrict's departments and
staff score each residents' committee, each committee scores each department,
and residents' satisfaction may be folded in. The arithmetic lives in
`scoring` (pure functions); the rounds, sheets and survey in `services`."""
from app.evaluation import rules  # noqa: F401  (the package's permission rules, registered once)
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("evaluation", __name__, views=(".views",))

