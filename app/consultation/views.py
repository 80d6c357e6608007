"""Consultation pages: the blueprint, what every page shares, and reading
(topic lists and details are public, 村(居)务公开). Writing topics, supports
and follows: topic_views.py; comments, reports and ratings: comment_views.py;
moderation and the community's settings and blocks: moderation_views.py."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.consultation import page, services
from app.consultation.forms import (
    CommentForm,
    ConfirmForm,
    MergeForm,
    OutcomeForm,
    ProgressForm,
    RatingForm,
    ReasonForm,
    SupportForm,
    new_idempotency_key,
)
from app.consultation.models import REPORT_LABELS, STANCE_LABELS, STATE_LABELS, Stance, TopicState
from app.inputs import int_arg
from app.places.services import public_community
from app.web import found, render

bp = Blueprint("consultation", __name__)

LABELS = {"STATE_LABELS": STATE_LABELS, "STANCE_LABELS": STANCE_LABELS, "REPORT_LABELS": REPORT_LABELS,
          "TopicState": TopicState, "STANCE_BY_NAME": Stance.__members__, "new_key": new_idempotency_key}


def uploads(field) -> list[bytes]:
    """The uploaded files' bytes (each at most 5 MB + 1 byte is read; the service refuses more)."""
    data = []
    for storage in field.data or []:
        if getattr(storage, "filename", ""):
            data.append(storage.stream.read(5 * 1024 * 1024 + 1))
            storage.stream.close()
    return data


def topic_url(topic, anchor: str = "") -> str:
    return url_for("consultation.show_topic", topic_id=topic.id) + (f"#{anchor}" if anchor else "")


def forms_for(context: dict, given: dict) -> dict:
    """The page's forms: the one just submitted (with its errors and what was typed), the others blank."""
    my_rating = context.get("my_rating")
    support_form = SupportForm(formdata=None)
    support_form.on_behalf_of.choices = [SelectChoice("", _("— choose a resident —"))] + [
        SelectChoice(str(u.id), u.display_name) for u in context.get("proxy_residents", [])]
    blank = {
        "comment_form": CommentForm(formdata=None), "form": ConfirmForm(formdata=None),
        "reason_form": ReasonForm(formdata=None), "merge_form": MergeForm(formdata=None),
        "outcome_form": OutcomeForm(formdata=None), "progress_form": ProgressForm(formdata=None),
        "moderate_form": None, "agenda_form": None, "hide_form": None, "hide_failed_id": None, "support_form": support_form,
        "rating_form": RatingForm(formdata=None, data={"score": str(my_rating.score), "comment": my_rating.comment}
                                  if my_rating else None)}
    return {**blank, **given}


def topic_page(topic, status: int = 200, **given_forms):
    """The whole topic page; `given_forms` are the submitted ones to show again (422 with their errors)."""
    context = page.topic_page(current_user, topic)
    return render("consultation/topic.html", status=status, **context, **forms_for(context, given_forms), **LABELS)


def topic_fragment(topic, fragment: str, context: dict, status: int = 200, **extra):
    """An htmx part of the topic page with only what it shows (`context` from app.consultation.page)."""
    context = {**forms_for(context, {}), **context, **extra, **LABELS}
    return render("consultation/topic.html", fragment, status=status, **context)


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
                  settings=services.settings_for(community.id), oob_flash=False,
                  may_raise=services.may_raise_topic(current_user, community.id), **LABELS)


@bp.get("/topics/<int:topic_id>")
def show_topic(topic_id: int):
    return topic_page(services.topic_for(current_user, topic_id))


@bp.get("/photos/<token>")
def show_photo(token: str):
    photo = services.photo_for(current_user, token)
    response = make_response(photo.data)
    response.headers["Content-Type"] = photo.content_type
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/my/topics")
@login_required
def my_topics():
    return render("consultation/my_topics.html", topics=services.my_topics(current_user),
                  shows_note=services.shows_moderator_note, **LABELS)


# the routes on `bp` from the other view modules (they import the helpers above)
from app.consultation import comment_views, moderation_views, topic_views  # noqa: F401
