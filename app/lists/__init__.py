"""The two lists (两份清单): what a residents' committee does by law and what it
assists government with, versioned per subdistrict and public; residents ask
them in plain words. Admission requests and agreements (app.agreements) read them."""
from app.lists import rules  # noqa: F401  (the package's permission rules, registered once)


def __getattr__(name: str):
    if name == "bp":
        from app.lists.views import bp

        return bp
    raise AttributeError(name)
