"""The audit log every service writes to."""
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("audit", __name__, views=(".views",))
