import pytest



@pytest.fixture(scope="session")
def i18n():
    """An app context for translated strings, without a database (pure rule tests)."""
    from tests.conftest import app_for

    app = app_for("sqlite://")
    with app.app_context():
        yield app


from tests.consultation.conftest import make_topic, moderator, settings  # noqa: E402,F401  (shared fixtures)
