"""Places: subdistricts, communities, grids, departments; the public home page."""


def __getattr__(name: str):
    """`bp` on first use: other domains import this package's models and services."""
    if name == "bp":
        from app.places.views import bp

        return bp
    raise AttributeError(name)
