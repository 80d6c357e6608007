"""Help requests (求助) and the rest of spending hours: the request form and
page, offers, choosing, messages, cancelling, confirming; standing offers;
records a volunteer starts; the social worker's exchange page. Rules are in
app.timebank.exchange; these views load, call and render."""
from __future__ import annotations

from datetime import timezone

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app import localtime
from app.blueprints import Button
from app.inputs import int_arg
from app.timebank import exchange, ledger, services
from app.accounts import picker
from app.timebank.exchange_forms import (
    ActForForm,
    CategoriesForm,
    ChooseForm,
    ClaimForm,
    ConfirmForm,
    DecisionForm,
    HelpRequestForm,
    ListingForm,
    MessageForm,
    NoteForm,
    PriorityForm,
    ReasonForm,
    WiderForm,
)
from app.timebank.exchange_models import CLAIM_STATE_LABELS, HELP_STATE_LABELS, POOL_STATE_LABELS
from app.timebank.statements import KIND_LABELS
from app.timebank import bp
from app.web import act, permission_required, render, see_other, submit_form


def _utc(value):
    """A time typed in the community's local time, as the UTC instant it is stored as."""
    return value.replace(tzinfo=localtime.zone()).astimezone(timezone.utc)


def _category_choices(form, community_id: int | None):
    """The community's categories (none for someone who belongs to no community)."""
    form.category_id.choices = [SelectChoice(c.id, c.name) for c in exchange.categories(community_id)] \
        if community_id else []
    return form


# -- the request form ---------------------------------------------------------------------------

@bp.route("/help/new", methods=["GET", "POST"])
@login_required
def new_help():
    resident = exchange.resident_for(current_user, int_arg("for"))
    listing_id = int_arg("listing")
    listing = exchange.listing_for(current_user, listing_id) if listing_id else None
    form = _category_choices(HelpRequestForm(), resident.community_id)
    if request.method == "GET" and listing is not None:
        form.category_id.data = listing.category_id
    unit = ledger.community_rules(resident.community_id).unit_minutes if resident.community_id else 30
    return submit_form(
        form, lambda: exchange.post_request(
            current_user, resident, category_id=form.category_id.data, needed_at=_utc(form.needed_at.data),
            place=form.place.data, minutes=form.minutes.data, notes=form.notes.data or "",
            accept_first=form.accept_first.data, listing=listing,
            pool_reason=(form.pool_reason.data or "") if form.ask_pool.data else None),
        done=lambda r: url_for("timebank.show_help", help_id=r.id), message=_("Your request is posted."),
        page="timebank/help_new.html", resident=resident, listing=listing, unit=unit,
        balance=exchange.spendable(resident) if resident.is_verified else 0,
        acted_for=exchange.residents_acted_for(current_user))


# -- the request page and its acts ----------------------------------------------------------------

def _help_page(help_request, **forms):
    context = dict(
        r=help_request, actions=exchange.actions_for(current_user, help_request),
        offers=exchange.offers_of(help_request), messages=exchange.messages_of(help_request),
        expired=exchange.is_expired(help_request), states=HELP_STATE_LABELS, pool_states=POOL_STATE_LABELS,
        posted_for=exchange.behalf_label(help_request.requester, help_request.posted_by_id),
        confirmed_for=exchange.behalf_label(help_request.requester, help_request.confirmed_by_id),
        pool=exchange.pool_of(help_request.community_id), balance=exchange.spendable(help_request.requester),
        part=exchange.involvement(current_user, help_request),
        note_form=NoteForm(formdata=None), choose_form=ChooseForm(formdata=None),
        message_form=MessageForm(formdata=None), cancel_form=ReasonForm(formdata=None),
        pool_form=ReasonForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None, minutes=help_request.minutes))
    context.update(forms)
    return context


@bp.get("/help/<int:help_id>")
@login_required
def show_help(help_id: int):
    help_request = exchange.request_for(current_user, help_id)
    return render("timebank/help_show.html", **_help_page(help_request))


def _on_request(help_id: int, name: str, form, action, message: str):
    help_request = exchange.request_for(current_user, help_id)
    back = url_for("timebank.show_help", help_id=help_request.id)
    return submit_form(form, lambda: action(help_request), done=back, message=message,
                       page="timebank/help_show.html", **_help_page(help_request, **{name: form}))


@bp.post("/help/<int:help_id>/offer")
@login_required
def offer_help(help_id: int):
    form = NoteForm()
    return _on_request(help_id, "note_form", form,
                       lambda r: exchange.offer(current_user, r, form.note.data or ""),
                       _("Thank you: your offer is sent."))


@bp.post("/help/<int:help_id>/choose")
@login_required
def choose_helper(help_id: int):
    help_request = exchange.request_for(current_user, help_id)
    offer_id = int_arg("offer_id", source=request.form)
    return act(lambda: exchange.choose(current_user, help_request, offer_id), _("The helper is chosen and told."),
               url_for("timebank.show_help", help_id=help_request.id))


@bp.post("/help/<int:help_id>/message")
@login_required
def message_help(help_id: int):
    form = MessageForm()
    return _on_request(help_id, "message_form", form,
                       lambda r: exchange.send_message(current_user, r, form.body.data), _("Message sent."))


@bp.post("/help/<int:help_id>/cancel")
@login_required
def cancel_help(help_id: int):
    form = ReasonForm()
    return _on_request(help_id, "cancel_form", form,
                       lambda r: exchange.cancel(current_user, r, form.reason.data or ""), _("The request is cancelled."))


@bp.post("/help/<int:help_id>/confirm")
@login_required
def confirm_help(help_id: int):
    form = ConfirmForm()
    return _on_request(help_id, "confirm_form", form, lambda r: exchange.confirm(
        current_user, r, minutes=form.minutes.data, rating=int(form.rating.data) if form.rating.data else None,
        comment=form.comment.data or ""), _("Thank you: the service is confirmed and the hours moved."))


@bp.post("/help/<int:help_id>/pool")
@login_required
def decide_pool(help_id: int):
    form = ReasonForm()
    approve = request.form.get("decision") == "approve"
    return _on_request(help_id, "pool_form", form,
                       lambda r: exchange.decide_pool(current_user, r, approve=approve, reason=form.reason.data or ""),
                       _("Pool support approved: the minutes are reserved.") if approve
                       else _("Pool support declined."))


# -- lists: what I asked for, what I can help with --------------------------------------------------

@bp.get("/help")
@login_required
def help_home():
    profile = exchange.profile_of(current_user)
    return render("timebank/help_list.html", open_requests=exchange.open_requests_for(current_user),
                  mine=exchange.requests_of(current_user), claims=exchange.claims_of(current_user),
                  states=HELP_STATE_LABELS, claim_states=CLAIM_STATE_LABELS, expired=exchange.claim_expired,
                  wider_form=WiderForm(formdata=None, wider=bool(profile and profile.wider)),
                  acted_for=exchange.residents_acted_for(current_user))


@bp.post("/help/wider")
@login_required
def help_wider():
    form = WiderForm()
    return act(lambda: exchange.set_wider(current_user, bool(form.wider.data)), _("Your choice is saved."),
               url_for("timebank.help_home"))


# -- standing offers (服务项目) -------------------------------------------------------------------

@bp.route("/help/listings", methods=["GET", "POST"])
@login_required
def listings():
    form = _category_choices(ListingForm(), current_user.community_id)
    return submit_form(
        form, lambda: exchange.save_listing(current_user, category_id=form.category_id.data, title=form.title.data,
                                            description=form.description.data or ""),
        done=url_for("timebank.listings"), message=_("Your offer is listed."), page="timebank/listings.html",
        listings=exchange.listings_for(current_user), action_form=ReasonForm(formdata=None))


# -- records a volunteer starts -----------------------------------------------------------------

@bp.route("/help/claims/new", methods=["GET", "POST"])
@login_required
def new_claim():
    form = ClaimForm()
    if request.method == "GET":
        form.served_on.data = localtime.today()
    return submit_form(
        form, lambda: exchange.start_claim(current_user, exchange.find_receiver(current_user, form.receiver.data),
                                           minutes=form.minutes.data, description=form.description.data,
                                           served_on=form.served_on.data),
        done=lambda c: url_for("timebank.show_claim", claim_id=c.id),
        message=_("The record is sent; the person you helped confirms it."), page="timebank/claim_new.html",
        days=exchange.claim_days())


def _claim_page(claim, **forms):
    context = dict(c=claim, actions=exchange.claim_actions(current_user, claim), states=CLAIM_STATE_LABELS,
                   expired=exchange.claim_expired(claim), expires_at=exchange.claim_expires_at(claim),
                   answered_for=exchange.behalf_label(claim.receiver, claim.answered_by_id),
                   answer_form=ReasonForm(formdata=None), decision_form=DecisionForm(formdata=None))
    context.update(forms)
    return context


@bp.get("/help/claims/<int:claim_id>")
@login_required
def show_claim(claim_id: int):
    return render("timebank/claim_show.html", **_claim_page(exchange.claim_for(current_user, claim_id)))


@bp.post("/help/claims/<int:claim_id>/answer")
@login_required
def answer_claim(claim_id: int):
    claim = exchange.claim_for(current_user, claim_id)
    form = ReasonForm()
    accept = request.form.get("answer") == "confirm"
    return submit_form(form, lambda: exchange.answer_claim(current_user, claim, accept=accept,
                                                           reason=form.reason.data or ""),
                       done=url_for("timebank.show_claim", claim_id=claim.id),
                       message=_("Confirmed: the hours moved.") if accept else _("Disputed: a social worker decides."),
                       page="timebank/claim_show.html", **_claim_page(claim, answer_form=form))


@bp.post("/help/claims/<int:claim_id>/decide")
@login_required
def decide_claim(claim_id: int):
    claim = exchange.claim_for(current_user, claim_id)
    form = DecisionForm()
    return submit_form(form, lambda: exchange.decide_claim(current_user, claim, uphold=form.decision.data == "uphold",
                                                           reason=form.reason.data),
                       done=url_for("timebank.show_claim", claim_id=claim.id), message=_("The dispute is decided."),
                       page="timebank/claim_show.html", **_claim_page(claim, decision_form=form))


# -- the social worker's page -----------------------------------------------------------------



def _manage_page(community, **forms):
    context = dict(
        community=community, figures=exchange.figures(community.id), queue=exchange.pool_queue(community.id),
        disputes=exchange.disputes(community.id), requests=exchange.community_requests(community.id),
        priority=exchange.priority_residents(community.id), states=HELP_STATE_LABELS, pool_states=POOL_STATE_LABELS,
        pool_lines=exchange.pool_statement(community.id), kinds=KIND_LABELS,
        expired=exchange.is_expired, act_for_form=picker.scoped(ActForForm(formdata=None), community.id),
        categories_form=CategoriesForm(formdata=None, names="\n".join(c.name for c in exchange.categories(community.id))),
        priority_form=picker.scoped(PriorityForm(formdata=None), community.id))
    context.update(forms)
    return context


@bp.get("/c/<int:community_id>/help/manage")
@permission_required("manage_timebank")
def manage_help(community_id: int):
    """The page; with a resident chosen in "ask for help for a resident", the request form for them."""
    community = services.community_for(current_user, community_id)
    act_for = picker.scoped(ActForForm(request.args), community.id)
    if not {"resident", "resident_q"} & set(request.args):  # the page itself, no one asked for yet
        return render("timebank/help_manage.html", **_manage_page(community))
    if act_for.validate():
        return see_other(url_for("timebank.new_help", **{"for": act_for.resident.data.id}))
    return render("timebank/help_manage.html", **_manage_page(community, act_for_form=act_for), status=422)


@bp.post("/c/<int:community_id>/help/categories")
@permission_required("manage_timebank")
def save_help_categories(community_id: int):
    community = services.community_for(current_user, community_id)
    form = CategoriesForm()
    return submit_form(form, lambda: exchange.save_categories(current_user, community, form.names.data.splitlines()),
                       done=url_for("timebank.manage_help", community_id=community.id),
                       message=_("The categories are saved."), page="timebank/help_manage.html",
                       **_manage_page(community, categories_form=form))


@bp.post("/c/<int:community_id>/help/priority")
@permission_required("manage_timebank")
def set_help_priority(community_id: int):
    community = services.community_for(current_user, community_id)
    form = picker.scoped(PriorityForm(), community.id)
    return submit_form(form, lambda: exchange.set_priority(current_user, form.user_id.data,
                                                           bool(form.priority.data), form.reason.data or ""),
                       done=url_for("timebank.manage_help", community_id=community.id),
                       message=_("Saved."), page="timebank/help_manage.html",
                       **_manage_page(community, priority_form=form))


bp.buttons(Button("/help/listings/<int:listing_id>/withdraw", "withdraw_listing", exchange.withdraw_listing,
                  _l("The offer is withdrawn."), lambda listing: url_for("timebank.listings")),
           load=lambda listing_id: exchange.listing_for(current_user, listing_id), guard=login_required)
bp.buttons(Button("/help/<int:help_id>/withdraw", "withdraw_help", exchange.withdraw,
                  _l("You stepped back; the request is open again."),
                  lambda help_request: url_for("timebank.show_help", help_id=help_request.id)),
           load=lambda help_id: exchange.request_for(current_user, help_id), guard=login_required)
