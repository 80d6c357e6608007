"""Community consultation (社区协商): topics from proposal to rated outcome.

Rules: rules.py; services: services.py (an index of the subject modules);
pages: views.py and the *_views.py modules, all on the package's blueprint."""
from app.consultation import rules  # noqa: F401  (registers the "moderate" permission)
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("consultation", __name__, views=(".views", ".topic_views", ".comment_views", ".moderation_views"))
