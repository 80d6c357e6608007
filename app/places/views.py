"""The public face (home, community pages) and the set-up of places."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.places import bp
from app.permissions import can
from app.places import services
from app.places.forms import CommunityForm, DepartmentForm, GridForm, SubdistrictForm
from app.places.models import Community, CommunityKind, Department, Grid, Subdistrict
from app.web import found, permission_required, render, submit_form



@bp.get("/communities")
def list_communities():
    communities = services.public_communities()
    stats = services.community_stats([c.id for c in communities])
    return render("places/home.html", communities=communities, stats=stats)


@bp.get("/c/<int:community_id>")
def show_community(community_id: int):
    community = found(services.public_community(community_id))
    stats = services.community_stats([community.id])[community.id]
    return render("places/community.html", community=community, stats=stats,
                  oversee=can(current_user, "oversee_community", community))


@bp.get("/manage/communities")
@permission_required("oversee_communities")
def list_overseen():
    from app.timebank.ledger import may_confirm

    communities = services.overseen_by(current_user)
    return render("places/overseen.html", communities=communities,
                  confirmable_ids={c.id for c in communities if may_confirm(current_user, c.id)},
                  stats=services.community_stats([c.id for c in communities]))


# -- administration -------------------------------------------------------------------

@bp.get("/admin")
@permission_required("manage_places")
def admin_places():
    return render("places/admin.html", subdistricts=services.subdistricts_with_places(),
                  city_departments=services.city_departments())


def _subdistrict_choices(allow_none: bool = False):
    choices = [SelectChoice(str(s.id), s.name)
               for s in services.subdistricts()]
    return ([SelectChoice("", _("City level"))] if allow_none else []) + choices


def _place_form(model, place_id: int | None, form_cls, title, save, *, prepare=None, **context):
    """The page that adds (`place_id` None) or edits a place: only an administrator
    loads it; the form starts from what the place holds, `prepare(form, place)`
    fills its choices (and may give the page more to show), and a valid
    submission runs `save(place, form)`; otherwise the form comes back as typed."""
    place = services.place_for(current_user, model, place_id)
    form = form_cls(obj=place)
    context.update((prepare(form, place) if prepare else None) or {})
    return submit_form(form, lambda: save(place, form), done=url_for("places.admin_places"), message=_("Saved."),
                       page="places/form.html", title=title, obj=place, **context)


def _save_subdistrict(subdistrict, form):
    services.save_subdistrict(current_user, subdistrict, name=form.name.data, city=form.city.data or "")


def _community_choices(form, community):
    form.subdistrict_id.choices = _subdistrict_choices()
    if request.method == "GET" and community is None and request.args.get("subdistrict"):
        form.subdistrict_id.data = request.args["subdistrict"]
    return {"grid_form": GridForm(formdata=None) if community else None}


def _save_community(community, form):
    services.save_community(
        current_user, community, subdistrict=services.place_for(current_user, Subdistrict, int(form.subdistrict_id.data)),
        name=form.name.data, kind=CommunityKind[form.kind.data], households=form.households.data,
        address=form.address.data or "", description=form.description.data or "", is_active=form.is_active.data)


def _save_grid(grid, form):
    services.save_grid(current_user, grid, community=grid.community, name=form.name.data)


def _department_choices(form, _department):
    form.subdistrict_id.choices = _subdistrict_choices(allow_none=True)


def _save_department(department, form):
    sid = form.subdistrict_id.data
    subdistrict = services.place_for(current_user, Subdistrict, int(sid)) if sid else None
    services.save_department(current_user, department, subdistrict=subdistrict, name=form.name.data,
                             is_active=form.is_active.data)


@dataclass(frozen=True)
class PlaceKind:
    """One kind of place an administrator adds and edits: `/admin/<plural>/new`
    and `/admin/<plural>/<id>/edit`, endpoint `places.edit_<model's table>`."""
    plural: str
    model: type
    form: type
    title: Any
    save: Callable  # save(place or None, form), once the form is valid
    prepare: Callable | None = None  # prepare(form, place) -> more for the page
    addable: bool = True  # a grid is added from its community's page instead

    def register(self) -> None:
        key = f"{self.model.__tablename__}_id"

        def view(**ids):
            return _place_form(self.model, ids[key], self.form, self.title, self.save, prepare=self.prepare)

        view.__name__ = view.__qualname__ = f"edit_{self.model.__tablename__}"
        guarded = permission_required("manage_places")(view)
        if self.addable:
            bp.add_url_rule(f"/admin/{self.plural}/new", view.__name__, guarded, methods=["GET", "POST"],
                            defaults={key: None})
        bp.add_url_rule(f"/admin/{self.plural}/<int:{key}>/edit", view.__name__, guarded, methods=["GET", "POST"])


PLACE_KINDS = (PlaceKind("subdistricts", Subdistrict, SubdistrictForm, _l("Subdistrict"), _save_subdistrict),
               PlaceKind("communities", Community, CommunityForm, _l("Community"), _save_community, _community_choices),
               PlaceKind("grids", Grid, GridForm, _l("Grid"), _save_grid, addable=False),
               PlaceKind("departments", Department, DepartmentForm, _l("Department"), _save_department,
                         _department_choices))
for place_kind in PLACE_KINDS:
    place_kind.register()


@bp.post("/admin/communities/<int:community_id>/grids")
@permission_required("manage_places")
def create_grid(community_id: int):
    community = services.place_for(current_user, Community, community_id)
    return _place_form(Grid, None, GridForm, _("Grid"), lambda _none, form: services.save_grid(
        current_user, None, community=community, name=form.name.data), parent=community)
