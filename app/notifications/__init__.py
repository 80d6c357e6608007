"""In-app notifications that every domain creates."""
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("notifications", __name__, views=(".views",), url_prefix="/notifications")
