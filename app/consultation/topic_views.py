"""Writing topics (residents, or a social worker on a resident's behalf),
sending them for review and withdrawing them; supports and follows (htmx
fragments, real forms without JavaScript)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.accounts import picker
from app.blueprints import Button
from app.consultation import page, services
from app.consultation.forms import ConfirmForm, ReasonForm, SupportForm, TopicForm
from app.consultation.models import TopicState
from app.consultation import bp
from app.consultation.rendering import topic_fragment, topic_page, topic_url, uploads
from app.domain import DomainError, Forbidden
from app.places.services import public_community
from app.web import (act, flash_error, flash_success, form_refusal, found, mark_failed, require, see_other, submit_form,
                     wants_fragment)


def _topic_form(community_id: int, obj=None) -> TopicForm:
    form = TopicForm(obj=obj)
    form.category_id.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(c.id), c.name) for c in services.categories_for(community_id)]
    if obj is None and services.is_moderator(current_user, community_id):
        return picker.scoped(form, community_id)
    if form.on_behalf_of.given:  # only the community's social workers post for someone
        raise Forbidden(community_id)
    del form.on_behalf_of
    return form


def _topic_fields(form) -> dict:
    return {"title": form.title.data, "body": form.body.data, "location": form.location.data or "",
            "category_id": int(form.category_id.data) if form.category_id.data else None,
            "uploads": uploads(form.photos)}


def _sent_message(topic):
    return _("Sent for review. A social worker will publish it.") if topic.state is TopicState.pending_review \
        else _("Saved as a draft.")


@bp.route("/c/<int:community_id>/topics/new", methods=["GET", "POST"])
@login_required
def create_topic(community_id: int):
    community = found(public_community(community_id))
    require(services.may_raise_topic(current_user, community.id))
    form = _topic_form(community.id)

    def create():
        elder = form.on_behalf_of.data if form.on_behalf_of else None
        author, proxy = (elder, current_user) if elder else (current_user, None)
        return services.create_topic(author, community, **_topic_fields(form), proxy=proxy,
                                     submit=request.form.get("submit") == "review")

    return submit_form(form, create, done=topic_url, message=_sent_message, page="consultation/form.html",
                       community=community, topic=None)


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@login_required
def edit_topic(topic_id: int):
    topic = services.topic_for(current_user, topic_id, to="edit")
    form = _topic_form(topic.community_id, obj=topic)
    sending = request.form.get("submit") == "review" and topic.state is not TopicState.pending_review

    def save():
        services.update_topic(current_user, topic, **_topic_fields(form),
                              remove_photo_ids=[int(i) for i in request.form.getlist("remove_photo") if i.isdigit()])
        if sending:
            services.submit_topic(current_user, topic)
        return topic

    message = _("Sent for review. A social worker will publish it.") if sending else _("Saved.")
    return submit_form(form, save, done=topic_url(topic), message=message, page="consultation/form.html",
                       community=topic.community, topic=topic)


@bp.post("/topics/<int:topic_id>/withdraw")
@login_required
def withdraw_topic(topic_id: int):
    topic = services.topic_for(current_user, topic_id, to="edit")
    form = ReasonForm()
    if not form.validate_on_submit():
        return topic_page(topic, 422, reason_form=form)
    return act(lambda: services.withdraw_topic(current_user, topic, form.reason.data or ""),
               _("The topic has been withdrawn."), topic_url(topic))


# -- supports and follows ------------------------------------------------------------------

def _toggle(topic, action, message, fragment: str, context, form):
    """Run a support or follow; answer the fragment (htmx) or go back to the page.
    A `form` that does not validate is refused like a rule, with its message."""
    try:
        if problem := form_refusal(form):
            raise DomainError(problem)
        action()
    except DomainError as e:
        mark_failed()
        flash_error(e.message)
        status = 422
    else:
        flash_success(message)
        status = 200
    if not wants_fragment():
        return see_other(topic_url(topic))
    return topic_fragment(topic, fragment, context(current_user, topic), status=status, state_oob=True)


@bp.post("/topics/<int:topic_id>/support")
@login_required
def support_topic(topic_id: int):
    """The user's own support (htmx fragment or back to the page), or a social
    worker's for a resident without a phone: a resident not yet chosen brings
    the page back (422) with the matches to choose from."""
    topic = services.topic_for(current_user, topic_id)
    form = SupportForm()
    if not form.on_behalf_of.given:
        del form.on_behalf_of
        return _toggle(topic, lambda: services.add_support(current_user, topic),
                       _("Thank you: your support has been counted."), "consultation/_support.html",
                       page.support_box, form)
    if not services.is_moderator(current_user, topic.community_id):
        raise Forbidden(topic.id)
    picker.scoped(form, topic.community_id)
    if not form.validate_on_submit() and "csrf_token" not in form.errors:
        return topic_page(topic, 422, support_form=form)
    elder = form.on_behalf_of.data
    return _toggle(topic, lambda: services.add_support(elder, topic, proxy=current_user),
                   _("Support recorded on behalf of %(name)s.", name=elder.display_name if elder else ""),
                   "consultation/_support.html", page.support_box, form)


@bp.post("/topics/<int:topic_id>/unsupport")
@login_required
def unsupport_topic(topic_id: int):
    topic = services.topic_for(current_user, topic_id)
    return _toggle(topic, lambda: services.withdraw_support(current_user, topic), _("Your support was withdrawn."),
                   "consultation/_support.html", page.support_box, ConfirmForm())


@bp.post("/topics/<int:topic_id>/follow")
@login_required
def follow_topic(topic_id: int):
    topic = services.topic_for(current_user, topic_id)
    on = request.form.get("follow") == "1"
    return _toggle(topic, lambda: services.set_follow(current_user, topic, on),
                   _("You will be told about changes to this topic.") if on else _("You no longer follow this topic."),
                   "consultation/_follow.html", page.follow_box, ConfirmForm())


bp.buttons(Button("/topics/<int:topic_id>/submit", "submit_topic", services.submit_topic,
                  _l("Sent for review. A social worker will publish it."), topic_url),
           load=lambda topic_id: services.topic_for(current_user, topic_id, to="edit"), guard=login_required,
           form=ConfirmForm)
