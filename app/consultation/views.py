"""Reading consultation pages (topic lists and details are public,
村(居)务公开). Writing topics, supports and follows: topic_views.py; comments,
reports and ratings: comment_views.py; moderation and the community's
settings and blocks: moderation_views.py; what they share: rendering.py."""
from __future__ import annotations

from flask import abort, request
from flask_login import current_user, login_required

from app.consultation import bp, services
from app.consultation import photos as photo_files
from app.consultation.rendering import LABELS, topic_page
from app.inputs import int_arg
from app.places.services import public_community
from app.web import found, render


@bp.get("/c/<int:community_id>/topics")
def list_topics(community_id: int):
    community = found(public_community(community_id))
    args = request.args
    filters = {"state": args.get("state", ""), "category": int_arg("category"), "sort": args.get("sort", "newest"),
               "q": args.get("q", "")[:50]}
    try:
        topics, cursor = services.list_topics(community.id, state=filters["state"], category_id=filters["category"],
                                              sort=filters["sort"], q=filters["q"], cursor=args.get("cursor"))
    except services.BadCursor:
        abort(400)
    shown = {k: v for k, v in {**filters, "sort": args.get("sort"), "q": args.get("q")}.items() if v}
    return render("consultation/list.html", "consultation/_topic_items.html", community=community, topics=topics,
                  cursor=cursor, filters=shown, categories=services.categories_for(community.id),
                  settings=services.settings_for(community.id), oob_flash=False, filter_states=services.FILTER_STATES,
                  may_raise=services.may_raise_topic(current_user, community.id), **LABELS)


@bp.get("/topics/<int:topic_id>")
def show_topic(topic_id: int):
    return topic_page(services.topic_for(current_user, topic_id))


@bp.get("/photos/<token>")
def show_photo(token: str):
    return photo_files.response_for(services.photo_for(current_user, token))


@bp.get("/my/topics")
@login_required
def my_topics():
    return render("consultation/my_topics.html", topics=services.my_topics(current_user),
                  shows_note=services.shows_moderator_note, **LABELS)
