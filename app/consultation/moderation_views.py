"""Moderation by the social workers of a topic's community: the steps on a
topic, hiding and keeping comments, the queue, the community's consultation
settings and posting blocks. Who may: app/consultation/rules.py."""
from __future__ import annotations

from flask import abort, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts import picker
from app.blueprints import Button, FormPost
from app.consultation import services
from app.consultation.forms import (
    BlockForm,
    ConfirmForm,
    MergeForm,
    ModerateForm,
    OutcomeForm,
    ProgressForm,
    ReasonForm,
    SettingsForm,
)
from app.consultation.models import Outcome, SupportBasis
from app.consultation import bp
from app.consultation.comments import page_after_for
from app.consultation.rendering import LABELS, comment_url, topic_page, topic_url, uploads
from app.domain import DomainError
from app.inputs import int_arg
from app.web import (
    act,
    attach_error,
    flash_error,
    flash_success,
    mark_failed,
    permission_required,
    render,
    see_other,
    submit_form,
    wants_fragment,
)


def _step(topic, form, action, message, *, form_name: str, anchor: str = "", done=None, comment=None, **extra):
    """Run a moderator's step from the topic page (about `comment`, when given:
    its page of comments, at the comment). A bad or missing answer goes back
    onto its field (422, keeping what was typed); a step the topic's state
    refuses is flashed and rolled back; success goes back to the topic."""
    back = comment_url(comment) if comment is not None else topic_url(topic, anchor)
    if form.validate_on_submit():
        try:
            result = action()
        except DomainError as e:
            if not (e.field and hasattr(form, e.field)):
                mark_failed()
                flash_error(e.message)
                return see_other(back)
            attach_error(form, e)
        else:
            flash_success(message(result) if callable(message) else message)
            return see_other(done(result) if done else back)
    after = page_after_for(comment) if comment is not None else 0
    return topic_page(topic, 422, after=after, **{form_name: form}, **extra)


MODERATION = {
    "publish": (services.publish, lambda: _("Published.")),
    "reject": (services.reject, lambda: _("Not published; the author has been told why.")),
    "request_changes": (services.request_changes, lambda: _("Sent back to the author for changes.")),
    "deliberate": (services.start_deliberation, lambda: _("The topic is now under deliberation.")),
    "complete": (services.complete, lambda: _("The topic is marked completed. Residents can now rate it.")),
    "hide": (services.hide_topic, lambda: _("The topic is hidden.")),
    "keep": (services.keep_topic, lambda: _("Reports closed; the topic is shown again.")),
}


def _chosen(steps: dict):
    """The posted form, and the service and message of the step it names (an unknown step is a bad request)."""
    form = ModerateForm()
    if form.action.data not in steps:
        abort(400)
    return form, *steps[form.action.data]


@bp.post("/topics/<int:topic_id>/moderate")
@permission_required("moderate")
def moderate_topic(topic_id: int):
    topic = services.topic_for(current_user, topic_id, to="moderate")
    form, action, message = _chosen(MODERATION)
    if wants_fragment() and request.form.get("from") == "queue":
        act(lambda: action(current_user, topic, form.reason.data or ""), message(), topic_url(topic))
        return render("consultation/moderation.html", "consultation/_queue_topic.html", item=topic,
                      form=ModerateForm(formdata=None), actions_for=services.actions_for, **LABELS)
    return _step(topic, form, lambda: action(current_user, topic, form.reason.data or ""), message(),
                 form_name="moderate_form")


bp.form_posts(
    FormPost("/topics/<int:topic_id>/merge", "merge_topic", MergeForm,
             lambda user, topic, form: services.merge_into(user, topic, form.target.data, form.reason.data),
             lambda target: _("Merged into #%(id)d.", id=target.id), {"form_name": "merge_form", "done": topic_url}),
    FormPost("/topics/<int:topic_id>/agenda", "agenda_topic", ReasonForm,
             lambda user, topic, form: services.put_on_agenda(user, topic, form.reason.data or ""),
             _l("Put on the agenda of the next meeting."), {"form_name": "agenda_form"}),
    FormPost("/topics/<int:topic_id>/decision", "decide_topic", OutcomeForm,
             lambda user, topic, form: services.record_decision(user, topic, Outcome[form.outcome.data],
                                                                form.reason.data or ""),
             _l("The decision is recorded."), {"form_name": "outcome_form"}),
    FormPost("/topics/<int:topic_id>/progress", "add_progress", ProgressForm,
             lambda user, topic, form: services.add_progress(user, topic, form.note.data, uploads(form.photos)),
             _l("Progress posted."), {"form_name": "progress_form", "anchor": "timeline"}),
    load=lambda topic_id: services.topic_for(current_user, topic_id, to="moderate"),
    guard=permission_required("moderate"), submit=_step)


COMMENT_MODERATION = {"hide": (services.hide_comment, lambda: _("The comment is hidden.")),
                      "restore": (services.restore_comment, lambda: _("The comment is shown again."))}


@bp.post("/comments/<int:comment_id>/moderate")
@permission_required("moderate")
def moderate_comment(comment_id: int):
    comment = services.comment_for(current_user, comment_id, to="moderate")
    form, action, message = _chosen(COMMENT_MODERATION)
    if not wants_fragment():
        return _step(comment.topic, form, lambda: action(current_user, comment, form.reason.data or ""), message(),
                     form_name="hide_form", comment=comment, hide_failed_id=comment.id)
    return _queue_comment(comment, form, action, message)


def _queue_comment(comment, form, action, message):
    """The queue's htmx answer: the item again, with the error on the reason (422) or done."""
    status = 422
    if form.validate_on_submit():
        try:
            action(current_user, comment, form.reason.data or "")
        except DomainError as e:
            attach_error(form, e)
        else:
            flash_success(message())
            status, form = 200, ModerateForm(formdata=None)
    return render("consultation/moderation.html", "consultation/_queue_comment.html", status=status, item=comment,
                  form=form, **LABELS)


# -- the queue, settings and blocks ------------------------------------------------------------

QUEUE_LISTS = ("pending", "reported_topics", "comments")  # each pages on with "<list>_before=<id>"

@bp.get("/c/<int:community_id>/moderation")
@permission_required("moderate")
def moderation_queue(community_id: int):
    community = services.moderated_community(current_user, community_id)
    before = {name: int_arg(f"{name}_before") for name in QUEUE_LISTS}
    return render("consultation/moderation.html", community=community,
                  queue=services.moderation_queue(community.id, before=before), page_size=services.QUEUE_PAGE,
                  form=ModerateForm(formdata=None), actions_for=services.actions_for, **LABELS)


@bp.route("/c/<int:community_id>/consultation-settings", methods=["GET", "POST"])
@permission_required("moderate")
def edit_settings(community_id: int):
    community = services.moderated_community(current_user, community_id)
    form = SettingsForm(obj=services.settings_for(community.id))
    if request.method == "GET":
        form.categories.data = "\n".join(c.name for c in services.categories_for(community.id))
    return submit_form(
        form, lambda: services.save_settings(
            current_user, community, support_threshold=form.support_threshold.data,
            support_basis=SupportBasis[form.support_basis.data], reports_to_hide=form.reports_to_hide.data,
            rating_window_days=form.rating_window_days.data, keywords=form.keywords.data or "",
            categories=(form.categories.data or "").splitlines()),
        done=url_for("consultation.edit_settings", community_id=community.id), message=_("Saved."),
        page="consultation/settings.html", community=community)


@bp.route("/c/<int:community_id>/blocks", methods=["GET", "POST"])
@permission_required("moderate")
def manage_blocks(community_id: int):
    community = services.moderated_community(current_user, community_id)
    form = picker.scoped(BlockForm(), community.id)

    def block():
        return services.block_user(current_user, community, form.user_id.data, days=form.days.data,
                                   reason=form.reason.data)

    return submit_form(form, block, done=url_for("consultation.manage_blocks", community_id=community.id),
                       message=_("The resident cannot post until the block ends."), page="consultation/blocks.html",
                       community=community, blocks=services.blocks_of(community.id), lift_form=ConfirmForm())


bp.buttons(Button("/blocks/<int:block_id>/lift", "lift_block", services.lift_block, _l("The block is lifted."),
                  lambda block: url_for("consultation.manage_blocks", community_id=block.community_id)),
           load=lambda block_id: services.block_for(current_user, block_id), guard=permission_required("moderate"),
           form=ConfirmForm)
