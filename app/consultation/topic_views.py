"""Writing topics (residents, or a social worker on a resident's behalf),
sending them for review and withdrawing them; supports and follows (htmx
fragments, real forms without JavaScript)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

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
    residents = services.residents_of(community_id) if services.is_moderator(current_user, community_id) else []
    form.on_behalf_of.choices = [SelectChoice("", _("— myself —"))] + [
        SelectChoice(str(u.id), u.display_name) for u in residents]
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
        author, proxy = current_user, None
        if form.on_behalf_of.data:
            author, proxy = services.resident_of(community.id, form.on_behalf_of.data), current_user
            if author is None:
                raise DomainError(_("Choose one of the community's verified residents."), field="on_behalf_of")
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


def _supporter(topic, resident_id):
    """(supporter, proxy): the user, or a resident a social worker supports for."""
    if not resident_id:
        return current_user, None
    if not services.is_moderator(current_user, topic.community_id):
        raise Forbidden(topic.id)
    return found(services.resident_of(topic.community_id, resident_id)), current_user


@bp.post("/topics/<int:topic_id>/support")
@login_required
def support_topic(topic_id: int):
    topic = services.topic_for(current_user, topic_id)
    form = SupportForm()
    form.on_behalf_of.choices, form.on_behalf_of.validate_choice = None, False
    supporter, proxy = _supporter(topic, form.on_behalf_of.data)
    message = _("Thank you: your support has been counted.") if proxy is None \
        else _("Support recorded on behalf of %(name)s.", name=supporter.display_name)
    return _toggle(topic, lambda: services.add_support(supporter, topic, proxy=proxy), message,
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
