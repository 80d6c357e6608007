"""Community consultation (社区协商): topics from proposal to rated outcome.

Rules: rules.py; services: services.py (an index of the subject modules);
pages: views.py and the *_views.py modules, all on one blueprint."""
from app.consultation import rules  # noqa: F401  (registers the "moderate" permission)
from app.consultation.views import bp  # noqa: F401
