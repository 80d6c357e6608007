"""Places: subdistricts, communities, grids, departments; the public home page."""
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("places", __name__, views=(".views",))
