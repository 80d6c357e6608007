"""The two lists (两份清单): what a residents' committee does by law and what it
assists government with, versioned per subdistrict and public; residents ask
them in plain words. Admission requests and agreements (app.agreements) read them."""
from app.lists import rules  # noqa: F401  (the package's permission rules, registered once)
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("lists", __name__, views=(".views",))

