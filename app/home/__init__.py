"""Each role's home (工作台): what is theirs to read or do today, one tap from each."""
from app.home.views import bp  # noqa: F401
