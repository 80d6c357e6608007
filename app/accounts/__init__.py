"""Accounts: people, roles, login sessions, residence verification."""
from app.blueprints import DomainBlueprint

bp = DomainBlueprint("accounts", __name__, views=(".views", ".admin_views"))
