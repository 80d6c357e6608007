"""Shared fixtures for the role homes."""
from tests.consultation.conftest import make_topic, moderator, settings  # noqa: F401  (shared fixtures)
