"""Administration of people and their roles (admin only)."""
from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import auth, services
from wtforms.fields.choices import SelectChoice

from app.accounts.forms import RoleForm, UserEditForm, UserForm, community_choices
from app.accounts.models import ROLE_SCOPE, Role, User
from app.accounts import bp
from app.domain import DomainError
from app.inputs import int_arg
from app.places.models import Community
from app.web import flash_error, flash_success, mark_failed, permission_required, render, see_other, submit_form


def _community_options():
    return community_choices(services.all_communities(), empty=_("— none —"))


def _scope_options():
    """Grouped choices; values say the kind ("community:3") so the role can be checked against it."""
    options = [SelectChoice("", _("— not needed (administrator) —"))]
    group = _("Communities")
    for c in services.all_communities():
        options.append(SelectChoice(f"community:{c.id}", f"{c.subdistrict.name} · {c.name}", optgroup=group))
    group = _("Subdistricts")
    for s in services.all_subdistricts():
        options.append(SelectChoice(f"subdistrict:{s.id}", s.name, optgroup=group))
    group = _("Departments")
    for d in services.all_departments():
        where = d.subdistrict.name if d.subdistrict else _("City")
        options.append(SelectChoice(f"department:{d.id}", f"{where} · {d.name}", optgroup=group))
    return options


def _user(user_id: int) -> User:
    return services.user_by_id(user_id)


def _community(value: str | None) -> Community | None:
    return services.community_by_id(int(value)) if value else None


@bp.get("/admin/users")
@permission_required("manage_users")
def list_users():
    query = request.args.get("q", "").strip()
    after = int_arg("after")
    users = services.users_page(query, after_id=after)
    return render("accounts/admin/users.html", "accounts/admin/_user_rows.html",
                  users=users, query=query, more=len(users) == 50)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@permission_required("manage_users")
def create_user():
    form = UserForm()
    form.community.choices = _community_options()
    return submit_form(
        form, lambda: services.create_user(
            current_user, login=form.login.data, display_name=form.display_name.data,
            password=form.password.data, community=_community(form.community.data),
            verified=form.verified.data, household=form.household.data or ""),
        done=lambda user: url_for("accounts.show_user", user_id=user.id),
        message=lambda user: _("Account created for %(name)s.", name=user.display_name),
        page="accounts/admin/user_form.html", user=None)


def _role_form() -> RoleForm:
    form = RoleForm()
    form.scope.choices = _scope_options()
    return form


@bp.get("/admin/users/<int:user_id>")
@permission_required("manage_users")
def show_user(user_id: int):
    user = _user(user_id)
    return render("accounts/admin/user.html", user=user, role_form=_role_form(),
                  sessions=services.active_sessions(user, auth.session_policy()))


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@permission_required("manage_users")
def edit_user(user_id: int):
    user = _user(user_id)
    form = UserEditForm(obj=user)
    form.community_id.choices = _community_options()
    return submit_form(
        form, lambda: services.update_user(current_user, user, display_name=form.display_name.data,
                                           community=_community(form.community_id.data),
                                           household=form.household.data or ""),
        done=url_for("accounts.show_user", user_id=user.id), message=_("Saved."),
        page="accounts/admin/user_form.html", user=user)


@bp.post("/admin/users/<int:user_id>/roles")
@permission_required("manage_users")
def add_role(user_id: int):
    user = _user(user_id)
    form = _role_form()

    def assign():
        role = Role[form.role.data]
        kind, _sep, scope_id = (form.scope.data or "").partition(":")
        if (ROLE_SCOPE[role] or "") != kind:
            raise DomainError(_("This role needs a different kind of place."), field="scope")
        return services.assign_role(current_user, user, role, int(scope_id) if scope_id else None)

    return submit_form(form, assign, done=url_for("accounts.show_user", user_id=user.id),
                       message=_("Role added."), page="accounts/admin/user.html", user=user,
                       role_form=form, sessions=services.active_sessions(user, auth.session_policy()))


@bp.post("/admin/users/<int:user_id>/roles/<int:assignment_id>/delete")
@permission_required("manage_users")
def remove_role(user_id: int, assignment_id: int):
    user = _user(user_id)
    assignment = services.role_assignment_of(user, assignment_id)
    try:
        services.revoke_role(current_user, assignment)
    except DomainError as e:
        mark_failed()
        flash_error(e.message)
    else:
        flash_success(_("Role removed."))
    return see_other("accounts.show_user", user_id=user.id)


@bp.post("/admin/users/<int:user_id>/active")
@permission_required("manage_users")
def set_user_active(user_id: int):
    user = _user(user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_active(current_user, user, active)
    except DomainError as e:
        mark_failed()
        flash_error(e.message)
    else:
        flash_success(_("The account is active again.") if active else _("The account has been deactivated and logged out everywhere."))
    return see_other("accounts.show_user", user_id=user.id)
