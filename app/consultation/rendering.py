"""How the consultation pages render, shared by the view modules: the labels
the templates use, the whole topic page with its forms (the one just
submitted keeps its errors and what was typed), and its htmx fragments."""
from __future__ import annotations

from flask import url_for
from flask_login import current_user

from app.accounts import picker
from app.consultation import page
from app.consultation.comments import page_after_for
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
from app.consultation.models import Stance
from app.web import render

LABELS = {"STANCE_BY_NAME": Stance.__members__, "new_key": new_idempotency_key}


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


def comment_url(comment) -> str:
    """The page of the topic's comments that shows `comment`, at the comment."""
    after = page_after_for(comment)
    if not after:
        return topic_url(comment.topic, f"comment-{comment.id}")
    return url_for("consultation.list_comments", topic_id=comment.topic_id, after=after) + f"#comment-{comment.id}"


def forms_for(context: dict, given: dict) -> dict:
    """The page's forms: the one just submitted (with its errors and what was typed), the others blank."""
    my_rating = context.get("my_rating")
    support_form = picker.scoped(SupportForm(formdata=None), context["topic"].community_id)
    blank = {
        "comment_form": CommentForm(formdata=None), "form": ConfirmForm(formdata=None),
        "reason_form": ReasonForm(formdata=None), "merge_form": MergeForm(formdata=None),
        "outcome_form": OutcomeForm(formdata=None), "progress_form": ProgressForm(formdata=None),
        "moderate_form": None, "agenda_form": None, "hide_form": None, "hide_failed_id": None, "support_form": support_form,
        "rating_form": RatingForm(formdata=None, data={"score": str(my_rating.score), "comment": my_rating.comment}
                                  if my_rating else None)}
    return {**blank, **given}


def topic_page(topic, status: int = 200, *, after: int = 0, **given_forms):
    """The whole topic page, its comments from after comment `after`; `given_forms` are the
    submitted ones to show again (422 with their errors)."""
    context = page.topic_page(current_user, topic, after)
    return render("consultation/topic.html", status=status, **context, **forms_for(context, given_forms), **LABELS)


def topic_fragment(topic, fragment: str, context: dict, status: int = 200, **extra):
    """An htmx part of the topic page with only what it shows (`context` from app.consultation.page)."""
    context = {**forms_for(context, {}), **context, **extra, **LABELS}
    return render("consultation/topic.html", fragment, status=status, **context)
