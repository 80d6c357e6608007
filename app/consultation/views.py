"""Consultation pages: topic lists and details (public), posting, supporting,
commenting, reporting and rating (residents), moderation (social workers)."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.accounts.forms import DecisionForm as EmptyForm
from app.consultation import services
from app.consultation.forms import (
    BlockForm,
    CommentEditForm,
    CommentForm,
    DecisionForm,
    MergeForm,
    ModerateForm,
    ProgressForm,
    RatingForm,
    ReasonForm,
    ReportForm,
    SettingsForm,
    SupportForm,
    TopicForm,
    new_idempotency_key,
)
from app.consultation.models import (
    REPORT_LABELS,
    STANCE_LABELS,
    STATE_LABELS,
    Outcome,
    Photo,
    PostingBlock,
    ReportReason,
    ReportTarget,
    Stance,
    SupportBasis,
    TopicState,
)
from app.domain import DomainError
from app.extensions import db
from app.inputs import int_arg
from app.permissions import register_rule, social_worker_community_ids
from app.places.services import public_community
from app.sqltypes import utcnow
from app.web import (
    act,
    attach_error,
    flash_error,
    flash_success,
    found,
    permission_required,
    render,
    require,
    see_other,
    submit_form,
    wants_fragment,
)

bp = Blueprint("consultation", __name__)
register_rule("moderate", lambda user, _obj: bool(social_worker_community_ids(user)))

LABELS = {"STATE_LABELS": STATE_LABELS, "STANCE_LABELS": STANCE_LABELS, "REPORT_LABELS": REPORT_LABELS,
          "TopicState": TopicState, "STANCE_BY_NAME": Stance.__members__, "new_key": new_idempotency_key}


def _uploads(field) -> list[bytes]:
    """The uploaded files' bytes (each at most 5 MB + 1 byte is read; the service refuses more)."""
    data = []
    for storage in field.data or []:
        if getattr(storage, "filename", ""):
            data.append(storage.stream.read(5 * 1024 * 1024 + 1))
            storage.stream.close()
    return data


def _topic_url(topic, anchor: str = "") -> str:
    return url_for("consultation.show_topic", topic_id=topic.id) + (f"#{anchor}" if anchor else "")


# -- reading ----------------------------------------------------------------------------

@bp.get("/c/<int:community_id>/topics")
def list_topics(community_id: int):
    community = found(public_community(community_id))
    args = request.args
    category_id = int_arg("category")
    try:
        topics, cursor = services.list_topics(community.id, state=args.get("state", ""), category_id=category_id,
                                              sort=args.get("sort", "newest"), q=args.get("q", "")[:50],
                                              cursor=args.get("cursor"))
    except services.BadCursor:
        abort(400)
    filters = {k: v for k, v in {"state": args.get("state"), "category": category_id, "sort": args.get("sort"),
                                 "q": args.get("q")}.items() if v}
    return render("consultation/list.html", "consultation/_topic_items.html", community=community, topics=topics,
                  cursor=cursor, filters=filters, categories=services.categories_for(community.id),
                  settings=services.settings_for(community.id), oob_flash=False, **LABELS)


def _topic_context(topic, **forms):
    viewer = current_user
    my_rating = services.rating_of(viewer, topic)
    moderator = viewer.is_authenticated and services.is_moderator(viewer, topic.community_id)
    support_form = SupportForm()
    if moderator:
        support_form.on_behalf_of.choices = [SelectChoice("", _("— choose a resident —"))] + [
            SelectChoice(str(u.id), u.display_name) for u in services.residents_of(topic.community_id)]
    context = dict(
        topic=topic, community=topic.community, settings=services.settings_for(topic.community_id),
        supported=services.supports(viewer, topic), following=services.follows(viewer, topic),
        threads=services.comments_of(topic, viewer), events=services.timeline(topic, viewer),
        ratings=services.rating_summary(topic), my_rating=my_rating,
        moderator=moderator, comment_form=forms.get("comment_form") or CommentForm(formdata=None),
        support_form=support_form, form=EmptyForm(), reason_form=ReasonForm(formdata=None),
        merge_form=forms.get("merge_form") or MergeForm(formdata=None),
        decision_form=forms.get("decision_form") or DecisionForm(formdata=None),
        progress_form=forms.get("progress_form") or ProgressForm(formdata=None),
        rating_form=forms.get("rating_form") or RatingForm(
            formdata=None, data={"score": str(my_rating.score), "comment": my_rating.comment} if my_rating else None),
        reports=services.reports_for(ReportTarget.topic, topic.id) if moderator else [],
        may_report=services.may_report(viewer, topic),
        now=utcnow(), edit_window=services.COMMENT_EDIT_WINDOW, **LABELS)
    return context


@bp.get("/topics/<int:topic_id>")
def show_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    return render("consultation/topic.html", **_topic_context(topic))


@bp.get("/photos/<token>")
def show_photo(token: str):
    photo = found(db.session.scalar(db.select(Photo).where(Photo.token == token)))
    found(services.topic_for(current_user, photo.topic_id))
    response = make_response(photo.data)
    response.headers["Content-Type"] = photo.content_type
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.get("/my/topics")
@login_required
def my_topics():
    return render("consultation/my_topics.html", topics=services.my_topics(current_user), **LABELS)


# -- writing topics ---------------------------------------------------------------------

def _topic_form(community_id: int, obj=None) -> TopicForm:
    form = TopicForm(obj=obj)
    form.category_id.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(c.id), c.name) for c in services.categories_for(community_id)]
    residents = services.residents_of(community_id) if services.is_moderator(current_user, community_id) else []
    form.on_behalf_of.choices = [SelectChoice("", _("— myself —"))] + [
        SelectChoice(str(u.id), u.display_name) for u in residents]
    return form


@bp.route("/c/<int:community_id>/topics/new", methods=["GET", "POST"])
@login_required
def create_topic(community_id: int):
    community = found(public_community(community_id))
    require(current_user.community_id == community.id or services.is_moderator(current_user, community.id))
    form = _topic_form(community.id)

    def create():
        author, proxy = current_user, None
        if form.on_behalf_of.data:
            author = found(next((u for u in services.residents_of(community.id)
                                 if str(u.id) == form.on_behalf_of.data), None))
            proxy = current_user
        return services.create_topic(
            author, community, title=form.title.data, body=form.body.data,
            category_id=int(form.category_id.data) if form.category_id.data else None,
            location=form.location.data or "", uploads=_uploads(form.photos),
            submit=request.form.get("submit") == "review", proxy=proxy)

    return submit_form(form, create, done=lambda topic: _topic_url(topic),
                       message=lambda topic: _("Sent for review. A social worker will publish it.")
                       if topic.state is TopicState.pending_review else _("Saved as a draft."),
                       page="consultation/form.html", community=community, topic=None)


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@login_required
def edit_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    require(current_user.id in (topic.author_id, topic.proxy_id))
    form = _topic_form(topic.community_id, obj=topic)

    def save():
        services.update_topic(current_user, topic, title=form.title.data, body=form.body.data,
                              category_id=int(form.category_id.data) if form.category_id.data else None,
                              location=form.location.data or "", uploads=_uploads(form.photos),
                              remove_photo_ids=[int(i) for i in request.form.getlist("remove_photo") if i.isdigit()])
        if request.form.get("submit") == "review" and topic.state is not TopicState.pending_review:
            services.submit_topic(current_user, topic)
        return topic

    sending = request.form.get("submit") == "review" and topic.state is not TopicState.pending_review
    message = _("Sent for review. A social worker will publish it.") if sending else _("Saved.")
    return submit_form(form, save, done=_topic_url(topic), message=message, page="consultation/form.html",
                       community=topic.community, topic=topic)


def _act(topic, action, message, *, anchor: str = ""):
    """Run a topic action from a plain POST and go back to the topic."""
    return act(action, message, _topic_url(topic, anchor))


@bp.post("/topics/<int:topic_id>/submit")
@login_required
def submit_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    require(current_user.id in (topic.author_id, topic.proxy_id))
    require(EmptyForm().validate_on_submit())
    return _act(topic, lambda: services.submit_topic(current_user, topic),
                _("Sent for review. A social worker will publish it."))


@bp.post("/topics/<int:topic_id>/withdraw")
@login_required
def withdraw_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    require(current_user.id in (topic.author_id, topic.proxy_id))
    form = ReasonForm()
    require(form.validate_on_submit())
    return _act(topic, lambda: services.withdraw_topic(current_user, topic, form.reason.data or ""),
                _("The topic has been withdrawn."))


# -- supports and follows (htmx fragments, real forms without JS) ------------------------------

def _fragment_or_back(topic, fragment: str, status: int = 200):
    if wants_fragment():
        # the state line travels out of band: a support may have moved the topic on
        return render("consultation/topic.html", fragment, status=status, state_oob=True, **_topic_context(topic))
    return see_other(_topic_url(topic))


def _toggle(topic, action, message, fragment: str):
    try:
        action()
    except DomainError as e:
        db.session.rollback()
        flash_error(e.message)
        return _fragment_or_back(topic, fragment, 422)
    db.session.commit()
    flash_success(message)
    return _fragment_or_back(topic, fragment)


@bp.post("/topics/<int:topic_id>/support")
@login_required
def support_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    form = SupportForm()
    form.on_behalf_of.choices = None
    form.on_behalf_of.validate_choice = False
    require(form.validate_on_submit())
    supporter, proxy = current_user, None
    if form.on_behalf_of.data:
        require(services.is_moderator(current_user, topic.community_id))
        supporter = found(next((u for u in services.residents_of(topic.community_id)
                                if str(u.id) == form.on_behalf_of.data), None))
        proxy = current_user
    return _toggle(topic, lambda: services.add_support(supporter, topic, proxy=proxy),
                   _("Thank you: your support has been counted.") if proxy is None
                   else _("Support recorded on behalf of %(name)s.", name=supporter.display_name),
                   "consultation/_support.html")


@bp.post("/topics/<int:topic_id>/unsupport")
@login_required
def unsupport_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    require(EmptyForm().validate_on_submit())
    return _toggle(topic, lambda: services.withdraw_support(current_user, topic), _("Your support was withdrawn."),
                   "consultation/_support.html")


@bp.post("/topics/<int:topic_id>/follow")
@login_required
def follow_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    require(EmptyForm().validate_on_submit())
    on = request.form.get("follow") == "1"
    return _toggle(topic, lambda: services.set_follow(current_user, topic, on),
                   _("You will be told about changes to this topic.") if on else _("You no longer follow this topic."),
                   "consultation/_follow.html")


# -- comments ---------------------------------------------------------------------------

@bp.post("/topics/<int:topic_id>/comments")
@login_required
def create_comment(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    form = CommentForm()
    if form.validate_on_submit():
        try:
            comment = services.add_comment(
                current_user, topic, body=form.body.data, stance=Stance[form.stance.data],
                parent_id=int_arg("parent_id", source=request.form),
                idempotency_key=form.idempotency_key.data)
        except DomainError as e:
            attach_error(form, e)
        else:
            db.session.commit()
            flash_success(_("Your comment is waiting for a moderator.") if comment.held_by_keywords
                          else _("Your comment has been posted."))
            if wants_fragment():
                return render("consultation/topic.html", "consultation/_comments.html", **_topic_context(topic))
            return see_other(_topic_url(topic, f"comment-{comment.id}"))
    return render("consultation/topic.html", "consultation/_comments.html", status=422,
                  **_topic_context(topic, comment_form=form))


def _own_comment(comment_id: int):
    comment = found(services.comment_for(current_user, comment_id))
    require(comment.author_id == current_user.id)
    return comment


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    comment = _own_comment(comment_id)
    form = CommentEditForm(obj=comment)
    return submit_form(form, lambda: services.edit_comment(current_user, comment, body=form.body.data,
                                                           stance=Stance[form.stance.data]),
                       done=_topic_url(comment.topic, f"comment-{comment.id}"), message=_("Saved."),
                       page="consultation/comment_edit.html", comment=comment)


@bp.post("/comments/<int:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    comment = _own_comment(comment_id)
    require(EmptyForm().validate_on_submit())
    return _act(comment.topic, lambda: services.delete_comment(current_user, comment), _("Your comment was deleted."),
                anchor=f"comment-{comment.id}")


# -- reports and ratings -----------------------------------------------------------------

def _report(target_type: ReportTarget, target, topic):
    form = ReportForm()
    done = _topic_url(topic, f"comment-{target.id}" if target_type is ReportTarget.comment else "")
    if form.validate_on_submit():
        try:
            services.report(current_user, target_type, target, ReportReason[form.reason.data], form.note.data or "")
        except DomainError as e:
            attach_error(form, e)
        else:
            db.session.commit()
            flash_success(_("Thank you. A social worker will look at your report."))
            if wants_fragment():
                return render("consultation/report.html", "consultation/_reported.html", target=target)
            return see_other(done)
    status = 422 if form.errors or form.form_errors else 200
    return render("consultation/report.html", "consultation/_report_form.html", status=status, form=form,
                  target=target, target_type=target_type, topic=topic, back=done)


@bp.route("/topics/<int:topic_id>/report", methods=["GET", "POST"])
@login_required
def report_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    return _report(ReportTarget.topic, topic, topic)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
def report_comment(comment_id: int):
    comment = found(services.comment_for(current_user, comment_id))
    return _report(ReportTarget.comment, comment, comment.topic)


@bp.post("/topics/<int:topic_id>/rating")
@login_required
def rate_topic(topic_id: int):
    topic = found(services.topic_for(current_user, topic_id))
    form = RatingForm()
    if not form.validate_on_submit():
        return render("consultation/topic.html", status=422, **_topic_context(topic, rating_form=form))
    return _act(topic, lambda: services.rate(current_user, topic, int(form.score.data), form.comment.data or ""),
                _("Thank you for rating the result."), anchor="rating")


# -- moderation (social workers of the community) ---------------------------------------------

def _moderated(topic_id: int):
    return found(services.moderated_topic(current_user, topic_id))


MODERATION = {
    "publish": (services.publish, lambda: _("Published.")),
    "reject": (services.reject, lambda: _("Not published; the author has been told why.")),
    "request_changes": (services.request_changes, lambda: _("Sent back to the author for changes.")),
    "deliberate": (services.start_deliberation, lambda: _("The topic is now under deliberation.")),
    "complete": (services.complete, lambda: _("The topic is marked completed. Residents can now rate it.")),
    "hide": (services.hide_topic, lambda: _("The topic is hidden.")),
    "keep": (services.keep_topic, lambda: _("Reports closed; the topic is shown again.")),
}


@bp.post("/topics/<int:topic_id>/moderate")
@permission_required("moderate")
def moderate_topic(topic_id: int):
    topic = _moderated(topic_id)
    form = ModerateForm()
    require(form.validate_on_submit())
    if form.action.data not in MODERATION:
        abort(400)
    action, message = MODERATION[form.action.data]
    response = _act(topic, lambda: action(current_user, topic, form.reason.data or ""), message())
    if wants_fragment() and request.form.get("from") == "queue":
        return render("consultation/moderation.html", "consultation/_queue_topic.html", item=topic,
                      form=ModerateForm(formdata=None), **LABELS)
    return response


@bp.post("/topics/<int:topic_id>/merge")
@permission_required("moderate")
def merge_topic(topic_id: int):
    topic = _moderated(topic_id)
    form = MergeForm()
    if form.validate_on_submit():
        target = services.moderated_topic(current_user, form.target.data or 0)
        try:
            if target is None:
                raise DomainError(_("There is no topic with that number in this community."), field="target")
            services.merge(current_user, topic, target, form.reason.data or "")
        except DomainError as e:
            db.session.rollback()
            attach_error(form, e)
        else:
            db.session.commit()
            flash_success(_("Merged into #%(id)d.", id=target.id))
            return see_other(_topic_url(target))
    return render("consultation/topic.html", status=422, **_topic_context(topic, merge_form=form))


@bp.post("/topics/<int:topic_id>/agenda")
@permission_required("moderate")
def agenda_topic(topic_id: int):
    topic = _moderated(topic_id)
    form = ReasonForm()
    require(form.validate_on_submit())
    return _act(topic, lambda: services.put_on_agenda(current_user, topic, form.reason.data or ""),
                _("Put on the agenda of the next meeting."))


@bp.post("/topics/<int:topic_id>/decision")
@permission_required("moderate")
def decide_topic(topic_id: int):
    topic = _moderated(topic_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return render("consultation/topic.html", status=422, **_topic_context(topic, decision_form=form))
    return _act(topic, lambda: services.record_decision(current_user, topic, Outcome[form.outcome.data],
                                                        form.reason.data or ""), _("The decision is recorded."))


@bp.post("/topics/<int:topic_id>/progress")
@permission_required("moderate")
def add_progress(topic_id: int):
    topic = _moderated(topic_id)
    form = ProgressForm()
    if not form.validate_on_submit():
        return render("consultation/topic.html", status=422, **_topic_context(topic, progress_form=form))
    return _act(topic, lambda: services.add_progress(current_user, topic, form.note.data, _uploads(form.photos)),
                _("Progress posted."), anchor="timeline")


@bp.post("/comments/<int:comment_id>/moderate")
@permission_required("moderate")
def moderate_comment(comment_id: int):
    comment = found(services.comment_for(current_user, comment_id))
    if not services.is_moderator(current_user, comment.topic.community_id):
        abort(404)
    form = ModerateForm()
    require(form.validate_on_submit())
    actions = {"hide": (services.hide_comment, _("The comment is hidden.")),
               "restore": (services.restore_comment, _("The comment is shown again."))}
    if form.action.data not in actions:
        abort(400)
    action, message = actions[form.action.data]
    response = _act(comment.topic, lambda: action(current_user, comment, form.reason.data or ""), message,
                    anchor=f"comment-{comment.id}")
    if wants_fragment():
        return render("consultation/moderation.html", "consultation/_queue_comment.html", item=comment,
                      form=ModerateForm(formdata=None), **LABELS)
    return response


def _moderated_community(community_id: int):
    community = found(public_community(community_id))
    if not services.is_moderator(current_user, community.id):
        abort(404)
    return community


@bp.get("/c/<int:community_id>/moderation")
@permission_required("moderate")
def moderation_queue(community_id: int):
    community = _moderated_community(community_id)
    return render("consultation/moderation.html", community=community, queue=services.moderation_queue(community.id),
                  form=ModerateForm(formdata=None), **LABELS)


@bp.route("/c/<int:community_id>/consultation-settings", methods=["GET", "POST"])
@permission_required("moderate")
def edit_settings(community_id: int):
    community = _moderated_community(community_id)
    settings = services.settings_for(community.id)
    form = SettingsForm(obj=settings)
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
    community = _moderated_community(community_id)
    form = BlockForm()
    residents = [u for u in services.residents_of(community.id)]
    form.user_id.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(u.id), f"{u.display_name} ({u.masked_phone or u.username})") for u in residents]

    def block():
        user = found(next((u for u in residents if str(u.id) == form.user_id.data), None))
        return services.block_user(current_user, community, user, days=form.days.data, reason=form.reason.data)

    return submit_form(form, block, done=url_for("consultation.manage_blocks", community_id=community.id),
                       message=_("The resident cannot post until the block ends."), page="consultation/blocks.html",
                       community=community, blocks=services.blocks_of(community.id), lift_form=EmptyForm())


@bp.post("/blocks/<int:block_id>/lift")
@permission_required("moderate")
def lift_block(block_id: int):
    block = found(db.session.get(PostingBlock, block_id))
    if not services.is_moderator(current_user, block.community_id):
        abort(404)
    require(EmptyForm().validate_on_submit())
    services.lift_block(current_user, block)
    db.session.commit()
    flash_success(_("The block is lifted."))
    return see_other(url_for("consultation.manage_blocks", community_id=block.community_id))
