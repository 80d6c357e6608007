"""The lists' pages. Public: the lists in force of a subdistrict, every earlier
version, any two compared, a certificate chart, and "ask a question". Staff of
the subdistrict: start a draft, add/change/remove items with a reason, preview
the comparison, publish with an effective date, import and export XLSX."""
from __future__ import annotations

import io
from urllib.parse import quote

import pygal
from flask import request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.blueprints import Button, FormPost
from app.accounts.forms import CsrfOnlyForm
from app.charts import phone_chart, svg_response
from app.domain import DomainError, NotFound
from app.exports import XLSX_TYPE, ascii_file_name
from app.inputs import int_arg
from app.lists import bp, services, xlsx
from app.lists.forms import AskForm, ImportForm, ItemForm, PublishForm, RemoveForm
from app.lists.models import KIND_LABELS, ItemKind
from app.localtime import today
from app.web import act, attach_error, flash_success, permission_required, render, see_other, submit_form


def _context(subdistrict_id: int) -> dict:
    return {"KIND_LABELS": KIND_LABELS, "ItemKind": ItemKind, "keeps": services.keeps_lists(current_user, subdistrict_id)}


def _grouped(items) -> list[tuple]:
    return [(kind, [i for i in items if i.kind is kind]) for kind in ItemKind if any(i.kind is kind for i in items)]


# -- public ---------------------------------------------------------------------------

@bp.get("/subdistricts/<int:subdistrict_id>/lists")
def show_lists(subdistrict_id: int):
    """The lists in force (村(居)务公开), the question box and the certificate chart."""
    subdistrict = services.subdistrict_for(current_user, subdistrict_id)
    version = services.version_in_force(subdistrict.id)
    items = services.items_of(version) if version else []
    latest = services.latest_published(subdistrict.id)
    return render("lists/lists.html", subdistrict=subdistrict, version=version, groups=_grouped(items),
                  upcoming=latest if latest and version and latest.id != version.id else None,
                  counts=services.certificate_counts(subdistrict.id), form=AskForm(formdata=None),
                  **_context(subdistrict.id))


@bp.get("/subdistricts/<int:subdistrict_id>/lists/ask")
def ask(subdistrict_id: int):
    """Does the community do this? Answered in plain words from the version in force."""
    subdistrict = services.subdistrict_for(current_user, subdistrict_id)
    form = AskForm(request.args)
    version = services.version_in_force(subdistrict.id)
    question = (form.q.data or "").strip()
    valid = form.validate()
    result = services.answer(version, question) if question and valid else None
    return render("lists/ask.html", subdistrict=subdistrict, version=version, form=form, question=question,
                  result=result, status=200 if valid else 422, **_context(subdistrict.id))


@bp.get("/subdistricts/<int:subdistrict_id>/lists/versions")
def list_versions(subdistrict_id: int):
    subdistrict = services.subdistrict_for(current_user, subdistrict_id)
    versions = services.published_versions(subdistrict.id)
    in_force = services.version_in_force(subdistrict.id)
    draft = services.open_draft(subdistrict.id) if services.reads_drafts(current_user, subdistrict.id) else None
    return render("lists/versions.html", subdistrict=subdistrict, versions=versions, in_force=in_force, draft=draft,
                  **_context(subdistrict.id))


@bp.get("/lists/versions/<int:version_id>")
def show_version(version_id: int):
    version = services.list_version_for(current_user, version_id)
    if version.is_draft and services.keeps_lists(current_user, version.subdistrict_id):
        return see_other("lists.edit_draft", draft_id=version.id)
    return render("lists/version.html", subdistrict=version.subdistrict, version=version,
                  groups=_grouped(services.items_of(version)), standing=_standing(version),
                  previous=_previous(version), **_context(version.subdistrict_id))


def _standing(version):
    """(css class, label) of a published version: in force, not yet, or no longer."""
    if version.is_draft:
        return None
    in_force = services.version_in_force(version.subdistrict_id)
    if in_force is not None and in_force.id == version.id:
        return "state-completed", _("in force")
    if in_force is None or version.number > in_force.number:
        return "state-deliberating", _("takes effect %(day)s", day=version.effective_on.isoformat())
    return "state-withdrawn", _("no longer in force")


def _previous(version):
    if not version.number or version.number == 1:
        return None
    versions = {v.number: v for v in services.published_versions(version.subdistrict_id)}
    return versions.get(version.number - 1)


@bp.get("/subdistricts/<int:subdistrict_id>/lists/compare")
def compare(subdistrict_id: int):
    """Any two versions of the subdistrict, field by field (defaults: the version in
    force against the one before it)."""
    subdistrict = services.subdistrict_for(current_user, subdistrict_id)
    versions = services.published_versions(subdistrict.id)
    a_id, b_id = int_arg("a"), int_arg("b")
    if a_id is None and b_id is None and len(versions) >= 2:
        a_id, b_id = versions[1].id, versions[0].id
    old = _own_version(subdistrict.id, a_id)
    new = _own_version(subdistrict.id, b_id)
    result = services.diff(old, new) if old and new else None
    return render("lists/compare.html", subdistrict=subdistrict, versions=versions, old=old, new=new, result=result,
                  preview=False, **_context(subdistrict.id))


def _own_version(subdistrict_id: int, version_id: int | None):
    if version_id is None:
        return None
    version = services.list_version_for(current_user, version_id)
    if version.subdistrict_id != subdistrict_id:
        raise NotFound
    return version


@bp.get("/subdistricts/<int:subdistrict_id>/lists/certificates.svg")
def certificate_chart(subdistrict_id: int):
    """Certificate matters on the lists and cancelled, per version (pygal, shown as <img>)."""
    subdistrict = services.subdistrict_for(current_user, subdistrict_id)
    counts = services.certificate_counts(subdistrict.id)
    # values on the bars (the page's heading and table say the rest): no axis figures to squeeze
    chart = phone_chart(pygal.Bar, ("#1d6b3a", "#b3261e"), show_y_guides=False, show_y_labels=False, print_values=True)
    chart.x_labels = [_("No. %(n)d", n=c.version.number) for c in counts]
    chart.add(_("Stamped by the community"), [c.admitted for c in counts])
    chart.add(_("Cancelled"), [c.cancelled for c in counts])
    return svg_response(chart)


@bp.get("/lists/versions/<int:version_id>/lists.xlsx")
def export_version(version_id: int):
    version = services.list_version_for(current_user, version_id)
    data = xlsx.write(version, services.items_of(version))
    name = f"{version.subdistrict.name}两份清单_第{version.number}版" if version.number \
        else f"{version.subdistrict.name}两份清单_草稿"
    response = send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=f"{name}.xlsx",
                         max_age=0)
    response.headers["Content-Disposition"] = (f'attachment; filename="{ascii_file_name(name)}.xlsx"; '
                                               f"filename*=UTF-8''{quote(name + '.xlsx', safe='')}")
    return response


# -- staff ----------------------------------------------------------------------------

@bp.get("/subdistricts/<int:subdistrict_id>/lists/manage")
@permission_required("keep_lists")
def manage(subdistrict_id: int):
    return _manage_page(services.subdistrict_for(current_user, subdistrict_id, to="keep"))


def _manage_page(subdistrict, *, import_form=None, problems=None, status=200):
    in_force = services.version_in_force(subdistrict.id)
    latest = services.latest_published(subdistrict.id)
    return render("lists/manage.html", subdistrict=subdistrict, in_force=in_force,
                  upcoming=latest if latest and (not in_force or latest.id != in_force.id) else None,
                  draft=services.open_draft(subdistrict.id), form=CsrfOnlyForm(),
                  import_form=import_form or ImportForm(formdata=None), problems=problems or [], status=status,
                  **_context(subdistrict.id))


@bp.post("/subdistricts/<int:subdistrict_id>/lists/drafts")
@permission_required("keep_lists")
def start_draft(subdistrict_id: int):
    subdistrict = services.subdistrict_for(current_user, subdistrict_id, to="keep")
    return act(lambda: services.start_draft(current_user, subdistrict),
               _("A new draft is open. Change what needs changing, then publish it."),
               url_for("lists.manage", subdistrict_id=subdistrict.id),
               done=lambda draft: url_for("lists.edit_draft", draft_id=draft.id), form=CsrfOnlyForm())


@bp.post("/subdistricts/<int:subdistrict_id>/lists/import")
@permission_required("keep_lists")
def import_xlsx(subdistrict_id: int):
    """A draft from a spreadsheet; every bad row is listed and nothing is imported."""
    subdistrict = services.subdistrict_for(current_user, subdistrict_id, to="keep")
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            draft = services.import_draft(current_user, subdistrict, upload.read(), filename=upload.filename or "")
        except xlsx.ImportRefused as refused:
            attach_error(form, refused)
            return _manage_page(subdistrict, import_form=form, problems=refused.problems, status=422)
        except DomainError as e:
            attach_error(form, e)
        else:
            flash_success(_("Imported %(n)d items into a new draft. Check the changes, then publish it.",
                            n=len(draft.items)))
            return see_other("lists.edit_draft", draft_id=draft.id)
    return _manage_page(subdistrict, import_form=form, status=422)


def _draft(draft_id: int):
    draft = services.list_version_for(current_user, draft_id, to="edit")
    if not draft.is_draft:
        raise NotFound
    return draft


@bp.get("/lists/drafts/<int:draft_id>")
@permission_required("keep_lists")
def edit_draft(draft_id: int):
    return _draft_page(_draft(draft_id))


def _draft_page(draft, *, form=None, status=200):
    in_force = services.version_in_force(draft.subdistrict_id)
    base = draft.based_on
    return render("lists/draft.html", subdistrict=draft.subdistrict, draft=draft,
                  groups=_grouped(services.items_of(draft)), summary=services.diff(base, draft) if base else None,
                  in_force=in_force, actions=services.actions_for(current_user, draft),
                  publish_form=form or PublishForm(formdata=None, effective_on=today(), note=draft.note),
                  form=CsrfOnlyForm(), status=status, **_context(draft.subdistrict_id))


def _item_step(draft, item, form, action, message, *, anchor: str = "items", page: str = "lists/item_form.html"):
    """A form about one item of the draft: back to the draft at `anchor`, or the form again as typed."""
    return submit_form(form, action, done=url_for("lists.edit_draft", draft_id=draft.id, _anchor=anchor),
                       message=message, page=page, draft=draft, item=item, subdistrict=draft.subdistrict,
                       **_context(draft.subdistrict_id))


@bp.route("/lists/drafts/<int:draft_id>/items/new", methods=["GET", "POST"])
@permission_required("keep_lists")
def add_item(draft_id: int):
    draft = _draft(draft_id)
    form = ItemForm(kind=request.args.get("kind", "statutory") if request.method == "GET" else None)
    return _item_step(draft, None, form, lambda: services.add_item(current_user, draft, reason=form.reason.data,
                                                                   **form.values()),
                      lambda item: _("Added “%(title)s”.", title=item.title))


@bp.route("/lists/drafts/<int:draft_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@permission_required("keep_lists")
def change_item(draft_id: int, item_id: int):
    draft = _draft(draft_id)
    item = services.item_of(draft, item_id)
    form = ItemForm(obj=item, kind=item.kind.name) if request.method == "GET" else ItemForm()
    if request.method == "GET":
        form.reason.data = ""
    return _item_step(draft, item, form, lambda: services.change_item(current_user, item, reason=form.reason.data,
                                                                      **form.values()),
                      lambda i: _("Changed “%(title)s”.", title=i.title), anchor=f"item-{item.id}")


@bp.route("/lists/drafts/<int:draft_id>/items/<int:item_id>/remove", methods=["GET", "POST"])
@permission_required("keep_lists")
def remove_item(draft_id: int, item_id: int):
    draft = _draft(draft_id)
    item = services.item_of(draft, item_id)
    form = RemoveForm()
    return _item_step(draft, item, form, lambda: services.remove_item(current_user, item, reason=form.reason.data),
                      _("Removed “%(title)s”.", title=item.title), page="lists/remove_form.html")


@bp.get("/lists/drafts/<int:draft_id>/preview")
@permission_required("keep_lists")
def preview(draft_id: int):
    """The draft against the version in force, field by field, before publishing."""
    draft = _draft(draft_id)
    old = services.version_in_force(draft.subdistrict_id) or draft.based_on
    return render("lists/compare.html", subdistrict=draft.subdistrict, versions=[], old=old, new=draft,
                  result=services.diff(old, draft), preview=True, **_context(draft.subdistrict_id))


def _on_draft(draft, form, action, message, *, done):
    """A form of the draft's page: on success to `done`, else the page with the form as typed."""
    return submit_form(form, action, done=done, message=message,
                       rerender=lambda: _draft_page(draft, form=form, status=422))


bp.form_posts(
    FormPost("/lists/drafts/<int:draft_id>/publish", "publish", PublishForm,
             lambda user, draft, form: services.publish(user, draft, effective_on=form.effective_on.data,
                                                        note=form.note.data or ""),
             lambda version: _("Version %(n)d is published; it takes effect on %(day)s.", n=version.number,
                               day=version.effective_on.isoformat()),
             {"done": lambda version: url_for("lists.show_version", version_id=version.id)}),
    load=_draft, guard=permission_required("keep_lists"), submit=_on_draft)


bp.buttons(Button("/lists/drafts/<int:draft_id>/discard", "discard", services.discard_draft,
                  _l("The draft is discarded."), lambda draft: url_for("lists.manage", subdistrict_id=draft.subdistrict_id)),
           load=_draft, guard=permission_required("keep_lists"), form=CsrfOnlyForm)
