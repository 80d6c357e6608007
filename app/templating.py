"""What every template can use: preferences, navigation counts, labels."""
from __future__ import annotations

import json

from flask import request
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from app.accounts.models import TextSize
from app.permissions import can
from app.web import external_url

# htmx settings (STYLE.md): no eval, no script tags, only our own origin;
# 422 (form errors) swaps, other errors are shown as a message by app.js.
HTMX_CONFIG = json.dumps({
    "selfRequestsOnly": True,
    "allowEval": False,
    "allowScriptTags": False,
    "includeIndicatorStyles": False,
    "historyRestoreAsHxRequest": False,
    "historyCacheSize": 0,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
        {"code": "...", "swap": False},
    ],
}, separators=(",", ":"))


def text_size() -> TextSize:
    if current_user.is_authenticated:
        return current_user.text_size
    try:
        return TextSize[request.cookies.get("text_size", "standard")]
    except KeyError:
        return TextSize.standard


def locale_code() -> str:
    """'zh_CN' or 'en' (Babel spells zh_CN as zh_Hans_CN)."""
    locale = get_locale()
    return "zh_CN" if locale is None or locale.language == "zh" else locale.language


def _static_url_builder(app):
    """url_for('static') plus ?v=<content hash>, so assets can be cached for a
    year and still change the moment a file does."""
    from functools import lru_cache
    from hashlib import sha256
    from pathlib import Path

    from flask import url_for

    @lru_cache(maxsize=64)
    def version(filename: str) -> str:
        return sha256((Path(app.static_folder) / filename).read_bytes()).hexdigest()[:10]

    def static_url(filename: str) -> str:
        return url_for("static", filename=filename, v=version(filename))

    return static_url


def register(app) -> None:
    @app.context_processor
    def _globals():
        ctx = {
            "htmx_config": HTMX_CONFIG,
            "text_size": text_size(),
            "locale": locale_code(),
            "can": can,
            "unread_notifications": 0,
            "pending_verifications": 0,
            "moderated_community_ids": [],
            "moderation_count": 0,
            "demo_mode": app.config.get("DEMO_MODE", False),
        }
        if current_user.is_authenticated:
            from app.notifications.services import unread_count

            ctx["unread_notifications"] = unread_count(current_user)
            if can(current_user, "verify_residents"):
                from app.accounts.services import count_awaiting_verification
                from app.permissions import social_worker_community_ids

                from app.consultation.services import queue_count

                communities = social_worker_community_ids(current_user)
                ctx["pending_verifications"] = count_awaiting_verification(communities)
                ctx["moderated_community_ids"] = sorted(communities)
                ctx["moderation_count"] = queue_count(communities)
        return ctx

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        TextSize=TextSize, static_url=_static_url_builder(app), external_url=external_url,
    )
    app.jinja_env.filters["when"] = lambda value: format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""
