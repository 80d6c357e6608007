"""Comments (verified residents of the topic's community), reports (举报) on
topics and comments, and ratings of a completed topic's result (民事民评)."""
from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.consultation import bp, page, services
from app.consultation.comments import page_after_for
from app.consultation.forms import CommentEditForm, CommentForm, ConfirmForm, RatingForm, ReportForm
from app.consultation.models import ReportReason, ReportTarget, Stance
from app.consultation.rendering import LABELS, comment_url, forms_for, topic_fragment, topic_page, topic_url
from app.domain import DomainError
from app.inputs import int_arg
from app.web import (
    act,
    attach_error,
    flash_success,
    form_status,
    render,
    require,
    see_other,
    submit_form,
    wants_fragment,
)


def _comments(topic, status: int = 200, form=None, after: int = 0):
    if wants_fragment():
        context = page.comment_section(current_user, topic, after)
        return topic_fragment(topic, "consultation/_comments.html", context, status=status,
                              comment_form=form or CommentForm(formdata=None))
    return topic_page(topic, status, comment_form=form) if form else see_other(topic_url(topic))


def _comments_shown(topic) -> None:
    """As on the topic page: a topic that is not public (hidden after reports) shows its comments
    to moderators only."""
    if not (topic.is_public or services.is_moderator(current_user, topic.community_id)):
        abort(404)


@bp.get("/topics/<int:topic_id>/comments")
def list_comments(topic_id: int):
    """The topic's comments after comment `after`: the next threads for htmx's "load more" (swapped in
    after the last one), the topic page showing them without JavaScript."""
    topic = services.topic_for(current_user, topic_id)
    _comments_shown(topic)
    after = int_arg("after", minimum=0) or 0
    if wants_fragment():
        return topic_fragment(topic, "consultation/_comment_page.html", page.comment_section(current_user, topic, after))
    context = page.topic_page(current_user, topic, after)
    return render("consultation/topic.html", **context, **forms_for(context, {}), **LABELS)


@bp.get("/comments/<int:comment_id>/replies")
def list_replies(comment_id: int):
    """A thread's replies after reply `after`: the next ones for htmx, the thread's own page without it."""
    comment = services.comment_for(current_user, comment_id)
    _comments_shown(comment.topic)
    context = page.thread_replies(current_user, comment, int_arg("after", minimum=0) or 0)
    return render("consultation/comment_replies.html", "consultation/_reply_items.html", oob_flash=False,
                  **context, **LABELS)


@bp.get("/comments/<int:comment_id>/reply")
@login_required
def reply_form(comment_id: int):
    """The reply form, fetched when asked for (not rendered under every thread); a page of its own
    without JavaScript."""
    comment = services.comment_for(current_user, comment_id)
    require(page.comment_actions(current_user, comment.topic)(comment).reply)
    return render("consultation/comment_reply.html", "consultation/_reply_form.html", oob_flash=False,
                  comment=comment, topic=comment.topic, **LABELS)


@bp.post("/topics/<int:topic_id>/comments")
@login_required
def create_comment(topic_id: int):
    topic = services.topic_for(current_user, topic_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = services.add_comment(current_user, topic, body=form.body.data, stance=Stance[form.stance.data],
                                           parent_id=int_arg("parent_id", source=request.form),
                                           idempotency_key=form.idempotency_key.data)
        except DomainError as e:
            attach_error(form, e)
        else:
            flash_success(_("Your comment is waiting for a moderator.") if comment.held_by_keywords
                          else _("Your comment has been posted."))
            return _comments(topic, after=page_after_for(comment)) if wants_fragment() \
                else see_other(comment_url(comment))
    return _comments(topic, 422, form)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    comment = services.comment_for(current_user, comment_id, to="edit")
    form = CommentEditForm(obj=comment)
    return submit_form(form, lambda: services.edit_comment(current_user, comment, body=form.body.data,
                                                           stance=Stance[form.stance.data]),
                       done=lambda _result: comment_url(comment), message=_("Saved."),
                       page="consultation/comment_edit.html", fragment="consultation/_comment_edit_form.html",
                       comment=comment)


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    comment = services.comment_for(current_user, comment_id, to="edit")
    return act(lambda: services.delete_comment(current_user, comment), _("Your comment was deleted."),
               comment_url(comment), form=ConfirmForm())


# -- reports and ratings -------------------------------------------------------------------

def _report(target_type: ReportTarget, target, topic):
    form = ReportForm()
    done = topic_url(topic, f"comment-{target.id}" if target_type is ReportTarget.comment else "")
    if form.validate_on_submit():
        try:
            services.report(current_user, target_type, target, ReportReason[form.reason.data], form.note.data or "")
        except DomainError as e:
            attach_error(form, e)
        else:
            flash_success(_("Thank you. A social worker will look at your report."))
            if wants_fragment():
                return render("consultation/report.html", "consultation/_reported.html", target=target)
            return see_other(done)
    return render("consultation/report.html", "consultation/_report_form.html", status=form_status(form), form=form,
                  target=target, is_topic=target_type is ReportTarget.topic, topic=topic, back=done)


@bp.route("/topics/<int:topic_id>/report", methods=["GET", "POST"])
@login_required
def report_topic(topic_id: int):
    topic = services.topic_for(current_user, topic_id)
    return _report(ReportTarget.topic, topic, topic)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report_comment(comment_id: int):
    comment = services.comment_for(current_user, comment_id)
    return _report(ReportTarget.comment, comment, comment.topic)


@bp.post("/topics/<int:topic_id>/rating")
@login_required
def rate_topic(topic_id: int):
    topic = services.topic_for(current_user, topic_id)
    form = RatingForm()
    if not form.validate_on_submit():
        return topic_page(topic, 422, rating_form=form)
    return act(lambda: services.rate(current_user, topic, int(form.score.data), form.comment.data or ""),
               _("Thank you for rating the result."), topic_url(topic, "rating"))
