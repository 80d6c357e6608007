"""Accounts: people, roles, login sessions, residence verification."""
