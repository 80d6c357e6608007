"""Family pages (亲属关联): a person's links, the questions waiting for them,
the proxies (代办) they named or act as, hours given to a linked relative
(with a confirmation step naming both people and the amount) or donated to
the pool, a transfer's record, and the social workers' family page with
proxies named on a resident's recorded consent."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app.accounts.forms import DecisionForm as EmptyForm
from app.accounts.models import User
from app.domain import DomainError, NotFound
from app.extensions import db
from app.timebank import family, ledger, services
from app.timebank.family_models import LINK_STATUS_LABELS, RELATION_LABELS, Relation
from app.timebank.forms import ConsentProxyForm, DonateForm, FamilyAskForm, GiveForm, ProxyForm
from app.timebank.views import bp
from app.web import act, attach_error, form_status, permission_required, render, see_other, submit_form


def _relative_choices(form) -> dict[str, User]:
    relatives = {str(r.person.id): r.person for r in family.linked_relatives(current_user)}
    choices = [SelectChoice("", _("— choose —"))] + [SelectChoice(k, u.display_name) for k, u in relatives.items()]
    for name in ("receiver_id", "relative_id"):
        if name in form:
            form[name].choices = choices
    return relatives


def _mine(ask_form=None, proxy_form=None, status=200):
    relatives = family.linked_relatives(current_user)
    proxy_form = proxy_form or ProxyForm(formdata=None)
    _relative_choices(proxy_form)
    acting_for_me, i_act_for = family.proxies_of(current_user)
    links = family.links_of(current_user)
    return render("timebank/family.html", relatives=relatives, links=links,
                  actions={link.id: family.actions_for(current_user, link) for link in links},
                  ask_form=ask_form or FamilyAskForm(formdata=None), proxy_form=proxy_form,
                  acting_for_me=acting_for_me, i_act_for=i_act_for, transfers=family.transfers_of(current_user),
                  account=ledger.account_of(current_user, create=False), relation_labels=RELATION_LABELS,
                  status_labels=LINK_STATUS_LABELS, status=status)


@bp.get("/my/family")
@login_required
def my_family():
    return _mine()


@bp.post("/my/family/links")
@login_required
def ask_family_link():
    form = FamilyAskForm()
    return submit_form(form, lambda: family.ask_link(current_user, family.find_person(form.phone.data, form.name.data),
                                                     Relation[form.relation.data]),
                       done=url_for("timebank.my_family"), message=_("Your question was sent."),
                       rerender=lambda: _mine(ask_form=form, status=form_status(form)))


_VERBS = {"accept": (family.accept_link, _l("You are now linked as family.")),
          "refuse": (family.refuse_link, _l("You refused the family link.")),
          "withdraw": (family.withdraw_link, _l("You withdrew your question.")),
          "end": (family.end_link, _l("The family link has ended."))}


@bp.post("/my/family/links/<int:link_id>/<verb>")
@login_required
def decide_family_link(link_id: int, verb: str):
    if verb not in _VERBS:
        raise NotFound
    link = family.link_for(current_user, link_id)
    action, message = _VERBS[verb]
    if not EmptyForm().validate_on_submit():
        return see_other("timebank.my_family")
    return act(lambda: action(current_user, link), message, url_for("timebank.my_family"))


@bp.post("/my/family/proxies")
@login_required
def name_proxy():
    form = ProxyForm()
    relatives = _relative_choices(form)
    return submit_form(form, lambda: family.designate_proxy(current_user, current_user, relatives.get(form.relative_id.data),
                                                            adult=form.adult.data) if form.relative_id.data in relatives
                       else _no_relative(),
                       done=url_for("timebank.my_family"), message=_("Your proxy is named."),
                       rerender=lambda: _mine(proxy_form=form, status=form_status(form)))


def _no_relative():
    raise DomainError(_("Choose a linked relative."), field="relative_id")


@bp.post("/family/proxies/<int:proxy_id>/revoke")
@login_required
def revoke_proxy(proxy_id: int):
    proxy = family.proxy_for(current_user, proxy_id)
    if not EmptyForm().validate_on_submit():
        return see_other("timebank.my_family")
    back = request.form.get("back") == "community" and url_for("timebank.community_family",
                                                                community_id=proxy.resident.community_id)
    return act(lambda: family.revoke_proxy(current_user, proxy), _("The proxy no longer acts for the resident."),
               back or url_for("timebank.my_family"))


@bp.route("/my/family/give", methods=["GET", "POST"])
@login_required
def give_hours():
    """Two steps: the form, then a confirmation naming both people and the
    amount; only the confirmation moves hours (once per form key)."""
    form = GiveForm()
    relatives = _relative_choices(form)
    page = dict(account=ledger.account_of(current_user, create=False))
    if request.method == "POST" and "confirm" not in request.form:
        if form.validate_on_submit():
            try:
                plan = family.plan_transfer(current_user, relatives.get(form.receiver_id.data), form.minutes.data)
            except DomainError as error:
                attach_error(form, error)
            else:
                return render("timebank/family_give_confirm.html", form=form, plan=plan,
                              relation_labels=RELATION_LABELS, **page)
        return render("timebank/family_give.html", form=form, status=form_status(form), **page)
    return submit_form(form, lambda: family.give_to_relative(current_user, relatives.get(form.receiver_id.data),
                                                             form.minutes.data, idempotency_key=form.idempotency_key.data),
                       done=lambda t: url_for("timebank.show_transfer", transfer_id=t.id),
                       message=_("The hours were given."), page="timebank/family_give.html", **page)


@bp.route("/my/family/donate", methods=["GET", "POST"])
@login_required
def donate_hours():
    form = DonateForm()
    return submit_form(form, lambda: family.donate_to_pool(current_user, form.minutes.data,
                                                           idempotency_key=form.idempotency_key.data),
                       done=url_for("timebank.my_timebank"), message=_("Thank you: the hours went to the community pool."),
                       page="timebank/family_donate.html", account=ledger.account_of(current_user, create=False))


@bp.get("/family/transfers/<int:transfer_id>")
@login_required
def show_transfer(transfer_id: int):
    transfer = family.transfer_for(current_user, transfer_id)
    link = db.session.get(family.FamilyLink, transfer.link_id)
    return render("timebank/family_transfer.html", transfer=transfer,
                  relation=RELATION_LABELS[link.relation_seen_by(transfer.sender_id)],
                  communities={c.id: c for c in (transfer.sender.community, transfer.receiver.community)})


def _pairs(community_id: int) -> dict[str, tuple[User, User]]:
    """(resident of the community, linked relative) for each accepted link, as the consent form's choices."""
    pairs = {}
    for link in family.community_family(community_id, limit=500)["links"]:
        if link.status is not family.LinkStatus.accepted:
            continue
        for resident, relative in ((link.requester, link.addressee), (link.addressee, link.requester)):
            if resident.community_id == community_id:
                pairs[f"{resident.id}-{relative.id}"] = (resident, relative)
    return pairs


def _with_pairs(form, community_id: int) -> dict[str, tuple[User, User]]:
    pairs = _pairs(community_id)
    form.pair.choices = [SelectChoice("", _("— choose —"))] + [
        SelectChoice(key, _("%(resident)s ← %(relative)s", resident=r.display_name, relative=p.display_name))
        for key, (r, p) in pairs.items()]
    return pairs


def _community_page(community, form=None, status=200):
    form = form or ConsentProxyForm(formdata=None)
    _with_pairs(form, community.id)
    return render("timebank/family_community.html", community=community, form=form,
                  relation_labels=RELATION_LABELS, status_labels=LINK_STATUS_LABELS,
                  **family.community_family(community.id), status=status)


@bp.get("/c/<int:community_id>/timebank/family")
@permission_required("manage_timebank")
def community_family(community_id: int):
    return _community_page(services.community_for(current_user, community_id))


@bp.post("/c/<int:community_id>/timebank/family/proxies")
@permission_required("manage_timebank")
def name_proxy_with_consent(community_id: int):
    community = services.community_for(current_user, community_id)
    form = ConsentProxyForm()
    pairs = _with_pairs(form, community.id)

    def designate():
        resident, relative = pairs[form.pair.data]  # the choices were validated: one of this community's pairs
        return family.designate_proxy(current_user, resident, relative, adult=form.adult.data,
                                      consent_note=form.consent_note.data)

    return submit_form(form, designate, done=url_for("timebank.community_family", community_id=community.id),
                       message=_("The proxy is named; the resident's consent is on record."),
                       rerender=lambda: _community_page(community, form, status=form_status(form)))
