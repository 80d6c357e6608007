"""The application factory."""
from __future__ import annotations

import logging

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user

from app.config import ROOT, Config


def create_app(config: type | dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    if not app.config.get("SECRET_KEY"):
        from app.config import _secret_key

        app.config["SECRET_KEY"] = _secret_key()
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    from app import inputs

    inputs.register(app)  # before the blueprints: their `<int:…>` rules take its converter
    _init_extensions(app)
    _register_blueprints(app)
    _register_request_hooks(app)

    from app import errors, requestlog, security, templating

    errors.register(app)
    security.register(app)
    templating.register(app)
    requestlog.register(app)

    from app.cli import register as register_cli

    register_cli(app)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
        if app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
            # gunicorn refuses several workers with this (app/serving.py); other servers cannot be asked
            app.logger.warning("RATELIMIT_STORAGE_URI is memory://: login and registration limits are counted per "
                               "process. Run a single process, or set a shared storage such as redis://.")
        if not app.config.get("PUBLIC_BASE_URL"):
            app.logger.warning("PUBLIC_BASE_URL is not set: QR codes and certificate links can only name a host "
                               "listed in TRUSTED_HOSTS (or this machine).")
    return app


def _init_extensions(app: Flask) -> None:
    from app.extensions import babel, compress, csrf, db, htmx, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        from app.database import configure_engine

        configure_engine(db.engine)
    from app.database import include_object

    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True,
                     include_object=include_object)
    csrf.init_app(app)
    htmx.init_app(app)
    app.config.setdefault("COMPRESS_REGISTER", False)
    compress.init_app(app)
    if not app.config["COMPRESS_REGISTER"]:
        app.after_request(_compress)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"])
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "basic"

    from app.accounts import auth

    auth.register(login_manager)
    auth.register_hooks(app)


def _compress(response):
    # A static file is served from an open file. Read it whole first (ours are
    # small) and close it here: Flask-Compress would otherwise swap the file for
    # a generator, and a connection dropped mid-response never closes the file.
    from app.extensions import compress

    if response.direct_passthrough and hasattr(response.response, "close"):
        source = response.response
        response.direct_passthrough = False
        try:
            response.set_data(b"".join(source))
        finally:
            source.close()
    return compress.after_request(response)


def _select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI, services called from tests
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get("locale")
    if cookie in languages:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _register_blueprints(app: Flask) -> None:
    # Each domain exports its blueprint from its package; the order is the menu's.
    from app import (accounts, agreements, audit, consultation, evaluation, health, home, lists, meetings,
                     notifications, places, timebank, volunteering)

    for domain in (health, home, places, accounts, notifications, audit, consultation, meetings, timebank,
                   volunteering, lists, agreements, evaluation):
        app.register_blueprint(domain.bp)

    @app.get("/favicon.ico")
    def favicon():
        """Browsers ask for it on every first visit; a 404 there is a console error."""
        return app.send_static_file("favicon.ico")
    # import models so Alembic and create_all see every table
    from app import models  # noqa: F401


def _register_request_hooks(app: Flask) -> None:
    from app.audit.services import client_ip
    from app.database import write_intent
    from app.web import finish_transaction

    app.after_request(finish_transaction)

    @app.before_request
    def _request_context():
        # Read-only requests begin deferred; everything else BEGIN IMMEDIATE (SQLite).
        g._write_token = write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))
        g._ip_token = client_ip.set(request.remote_addr or "")
        # only a session that holds something: an empty one would become a cookie on a visitor's page
        if request.endpoint != "static" and session and not session.permanent:
            session.permanent = True

    @app.teardown_request
    def _reset_context(_exc):
        if token := g.pop("_write_token", None):
            write_intent.reset(token)
        if token := g.pop("_ip_token", None):
            client_ip.reset(token)
