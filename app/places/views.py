"""The public face (home, community pages) and the set-up of places."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.places import bp
from app.permissions import can
from app.places import services
from app.places.forms import KIND_LABELS, CommunityForm, DepartmentForm, GridForm, SubdistrictForm
from app.places.models import Community, CommunityKind, Department, Grid, Subdistrict
from app.web import found, permission_required, render, submit_form



@bp.get("/communities")
def list_communities():
    communities = services.public_communities()
    stats = services.community_stats([c.id for c in communities])
    return render("places/home.html", communities=communities, stats=stats, KIND_LABELS=KIND_LABELS)


@bp.get("/c/<int:community_id>")
def show_community(community_id: int):
    community = found(services.public_community(community_id))
    stats = services.community_stats([community.id])[community.id]
    return render("places/community.html", community=community, stats=stats, KIND_LABELS=KIND_LABELS,
                  oversee=can(current_user, "oversee_community", community))


@bp.get("/manage/communities")
@permission_required("oversee_communities")
def list_overseen():
    from app.timebank.ledger import may_confirm

    communities = services.overseen_by(current_user)
    return render("places/overseen.html", communities=communities, KIND_LABELS=KIND_LABELS,
                  confirmable_ids={c.id for c in communities if may_confirm(current_user, c.id)},
                  stats=services.community_stats([c.id for c in communities]))


# -- administration -------------------------------------------------------------------

@bp.get("/admin")
@permission_required("manage_places")
def admin_places():
    return render("places/admin.html", subdistricts=services.subdistricts_with_places(),
                  city_departments=services.city_departments(),
                  KIND_LABELS=KIND_LABELS)


def _subdistrict_choices(allow_none: bool = False):
    choices = [SelectChoice(str(s.id), s.name)
               for s in services.subdistricts()]
    return ([SelectChoice("", _("City level"))] if allow_none else []) + choices


def _save(form, save, template, **context):
    return submit_form(form, save, done=url_for("places.admin_places"), message=_("Saved."), page=template,
                       **context)


@bp.route("/admin/subdistricts/new", methods=["GET", "POST"], defaults={"subdistrict_id": None})
@bp.route("/admin/subdistricts/<int:subdistrict_id>/edit", methods=["GET", "POST"])
@permission_required("manage_places")
def edit_subdistrict(subdistrict_id: int | None):
    subdistrict = services.place_for(current_user, Subdistrict, subdistrict_id)
    form = SubdistrictForm(obj=subdistrict)
    return _save(form, lambda: services.save_subdistrict(
        current_user, subdistrict, name=form.name.data, city=form.city.data or ""),
        "places/form.html", title=_("Subdistrict"), obj=subdistrict)


@bp.route("/admin/communities/new", methods=["GET", "POST"], defaults={"community_id": None})
@bp.route("/admin/communities/<int:community_id>/edit", methods=["GET", "POST"])
@permission_required("manage_places")
def edit_community(community_id: int | None):
    community = services.place_for(current_user, Community, community_id)
    form = CommunityForm(obj=community)
    form.subdistrict_id.choices = _subdistrict_choices()
    if request.method == "GET" and community is None and request.args.get("subdistrict"):
        form.subdistrict_id.data = request.args["subdistrict"]

    def save():
        services.save_community(
            current_user, community, subdistrict=services.place_for(current_user, Subdistrict, int(form.subdistrict_id.data)),
            name=form.name.data, kind=CommunityKind[form.kind.data], households=form.households.data,
            address=form.address.data or "", description=form.description.data or "",
            is_active=form.is_active.data)

    return _save(form, save, "places/form.html", title=_("Community"), obj=community,
                 grid_form=GridForm(formdata=None) if community else None)


@bp.post("/admin/communities/<int:community_id>/grids")
@permission_required("manage_places")
def create_grid(community_id: int):
    community = services.place_for(current_user, Community, community_id)
    form = GridForm()
    return _save(form, lambda: services.save_grid(current_user, None, community=community, name=form.name.data),
                 "places/form.html", title=_("Grid"), obj=None, parent=community)


@bp.route("/admin/grids/<int:grid_id>/edit", methods=["GET", "POST"])
@permission_required("manage_places")
def edit_grid(grid_id: int):
    grid = services.place_for(current_user, Grid, grid_id)
    form = GridForm(obj=grid)
    return _save(form, lambda: services.save_grid(current_user, grid, community=grid.community, name=form.name.data),
                 "places/form.html", title=_("Grid"), obj=grid)


@bp.route("/admin/departments/new", methods=["GET", "POST"], defaults={"department_id": None})
@bp.route("/admin/departments/<int:department_id>/edit", methods=["GET", "POST"])
@permission_required("manage_places")
def edit_department(department_id: int | None):
    department = services.place_for(current_user, Department, department_id)
    form = DepartmentForm(obj=department)
    form.subdistrict_id.choices = _subdistrict_choices(allow_none=True)

    def save():
        sid = form.subdistrict_id.data
        subdistrict = services.place_for(current_user, Subdistrict, int(sid)) if sid else None
        services.save_department(current_user, department, subdistrict=subdistrict, name=form.name.data,
                                 is_active=form.is_active.data)

    return _save(form, save, "places/form.html", title=_("Department"), obj=department)
