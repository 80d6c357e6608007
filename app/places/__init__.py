"""Places: subdistricts, communities, grids, departments; the public home page."""
