"""Agreement pages: drafting (items, payments), signing, amending, fulfilment
and payments received, the public list, evidence photos."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from app import localtime
from app.blueprints import Button, FormPost
from app.accounts.forms import DecisionForm as EmptyForm
from app.agreements import admission, bp, services
from app.agreements.forms import AgreementForm, FulfilmentForm, ItemForm, MilestoneForm, PaymentForm
from app.agreements.models import DELIVERY_STYLES, AgreementState, Delivery
from app.agreements.views import _subdistrict
from app.consultation import photos as photo_files
from app.consultation.rendering import uploads
from app.domain import DomainError
from app.inputs import int_arg
from app.web import attach_error, flash_success, permission_required, render, see_other, submit_form


@bp.route("/departments/<int:department_id>/agreements/new", methods=["GET", "POST"])
@permission_required("file_admission")
def new_agreement(department_id: int):
    department = admission.department_for(current_user, department_id)
    communities = admission.addressable_communities(department)
    req = None
    if request_id := int_arg("request"):
        req = admission.request_for(current_user, request_id)
    form = AgreementForm()
    form.community_id.choices = [SelectChoice(c.id, c.name) for c in communities]
    if request.method == "GET" and req is not None:
        form.community_id.data, form.title.data = req.community_id, req.title
        form.starts_on.data, form.ends_on.data = req.starts_on, req.ends_on
    community = next((c for c in communities if c.id == form.community_id.data), None)
    return submit_form(
        form, lambda: services.create(current_user, department, community, title=form.title.data,
                                      starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                      internal_note=form.internal_note.data or "", request=req),
        done=lambda a: url_for("agreements.show_agreement", agreement_id=a.id),
        message=_("The draft is saved. Add its items and payments, then sign."),
        page="agreements/agreement_form.html", department=department, req=req)


def _agreement_page(agreement, *, status: int = 200, failed=None, failed_key: str = ""):
    """The agreement with every form it offers; after a refused one (422) that form keeps what was typed."""
    item_form, milestone_form = ItemForm(formdata=None), MilestoneForm(formdata=None)
    if failed_key == "item":
        item_form = failed
    elif failed_key == "milestone":
        milestone_form = failed
    fulfil_forms = {i.id: failed if failed_key == f"f{i.id}" else FulfilmentForm(formdata=None, prefix=f"f{i.id}")
                    for i in agreement.items}
    payment_forms = {m.id: failed if failed_key == f"p{m.id}" else
                     PaymentForm(formdata=None, prefix=f"p{m.id}", received_on=localtime.today())
                     for m in agreement.milestones}
    return render("agreements/agreement.html", status=status, agreement=agreement,
                  actions=services.actions_for(current_user, agreement), form=EmptyForm(), item_form=item_form,
                  milestone_form=milestone_form, fulfil_forms=fulfil_forms, payment_forms=payment_forms,
                  amendment=services.amendment_of(agreement), latest_report=services.latest_report,
                  item_overdue=services.item_overdue, milestone_unpaid=services.milestone_unpaid,
                  flags=services.flags_of(agreement), fulfilled=services.is_fulfilled(agreement),
                  DELIVERY_STYLES=DELIVERY_STYLES, side=services.side_of(current_user, agreement),
                  is_draft=agreement.state is AgreementState.draft)


def _back(agreement, anchor: str = "") -> str:
    return url_for("agreements.show_agreement", agreement_id=agreement.id) + (f"#{anchor}" if anchor else "")


@bp.get("/agreements/<int:agreement_id>")
def show_agreement(agreement_id: int):
    return _agreement_page(services.agreement_for(current_user, agreement_id))


def _submit_on_page(agreement, form, action, message, *, key: str, anchor: str):
    """A form of the agreement's page (`key` there); on an error the page comes back with it as typed."""
    return submit_form(form, action, done=_back(agreement, anchor), message=message,
                       rerender=lambda: _agreement_page(agreement, status=422, failed=form, failed_key=key))


bp.form_posts(
    FormPost("/agreements/<int:agreement_id>/items", "add_item", ItemForm,
             lambda user, agreement, form: services.add_item(
                 user, agreement, title=form.title.data, deliverables=form.deliverables.data or "",
                 due_on=form.due_on.data, amount=form.amount.data),
             _l("The item is added."), {"key": "item", "anchor": "items"}),
    FormPost("/agreements/<int:agreement_id>/milestones", "add_milestone", MilestoneForm,
             lambda user, agreement, form: services.add_milestone(user, agreement, label=form.label.data,
                                                                  due_on=form.due_on.data, amount=form.amount.data),
             _l("The payment is scheduled."), {"key": "milestone", "anchor": "payments"}),
    load=lambda agreement_id: services.agreement_for(current_user, agreement_id, to="work"), guard=login_required,
    submit=_submit_on_page)


@bp.post("/agreements/<int:agreement_id>/items/<int:agreement_item_id>/fulfilment")
@login_required
def record_fulfilment(agreement_id: int, agreement_item_id: int):
    agreement = services.agreement_for(current_user, agreement_id, to="work")
    form = FulfilmentForm(prefix=f"f{agreement_item_id}")
    if form.validate_on_submit():
        try:
            services.record_fulfilment(current_user, agreement, agreement_item_id, Delivery[form.status.data],
                                       form.evidence.data or "", uploads(form.photos))
        except DomainError as e:
            attach_error(form, e)
        else:
            flash_success(_("The fulfilment is recorded."))
            return see_other(_back(agreement, f"item-{agreement_item_id}"))
    return _agreement_page(agreement, status=422, failed=form, failed_key=f"f{agreement_item_id}")


@bp.post("/agreements/<int:agreement_id>/milestones/<int:milestone_id>/payment")
@login_required
def record_payment(agreement_id: int, milestone_id: int):
    agreement = services.agreement_for(current_user, agreement_id, to="work")
    form = PaymentForm(prefix=f"p{milestone_id}")
    return _submit_on_page(agreement, form, lambda: services.record_payment(
        current_user, agreement, milestone_id, form.amount.data, form.received_on.data),
        _("The payment is recorded."), key=f"p{milestone_id}", anchor=f"milestone-{milestone_id}")


@bp.get("/s/<int:subdistrict_id>/agreements")
def public_agreements(subdistrict_id: int):
    subdistrict = _subdistrict(subdistrict_id)
    return render("agreements/public.html", subdistrict=subdistrict,
                  agreements=services.public_agreements(subdistrict.id))


@bp.get("/agreement-photos/<photo_token>")
def show_photo(photo_token: str):
    return photo_files.response_for(services.photo_for(current_user, photo_token))


def _signed(agreement) -> str:
    if agreement.state is AgreementState.in_force:
        return _("Signed. The agreement is in force.")
    return _("Signed. The other side signs next.")


bp.buttons(Button("/agreements/<int:agreement_id>/sign", "sign_agreement", services.sign, _signed, _back),
           Button("/agreements/<int:agreement_id>/items/<int:agreement_item_id>/remove", "remove_item",
                  services.remove_item, _l("The item is removed."), lambda agreement: _back(agreement, "items")),
           Button("/agreements/<int:agreement_id>/milestones/<int:milestone_id>/remove", "remove_milestone",
                  services.remove_milestone, _l("The payment is removed."),
                  lambda agreement: _back(agreement, "payments")),
           Button("/agreements/<int:agreement_id>/amend", "amend_agreement", services.amend,
                  _l("An amendment is drafted. The agreement in force stays in force until both sides sign it."),
                  _back, done=lambda new: url_for("agreements.show_agreement", agreement_id=new.id)),
           load=lambda agreement_id: services.agreement_for(current_user, agreement_id, to="work"),
           guard=login_required, form=EmptyForm)
