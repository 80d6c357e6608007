"""The home page: the public list of communities for visitors, each role's
workbench (工作台) for a person who has logged in."""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user

from app.accounts.models import Role
from app.agreements.home import department_work
from app.evaluation.services import evaluation_home
from app.home import services
from app.lists import services as lists_services
from app.notifications.services import message_for
from app.permissions import social_worker_community_ids, staff_subdistrict_ids
from app.places.views import list_communities
from app.timebank import exchange
from app.web import render

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Visitors see the communities (村(居)务公开); a person who logged in, their
    workbench, with the sections of every role they hold."""
    if not current_user.is_authenticated:
        return list_communities()
    user = current_user
    department_ids = {a.department_id for a in user.roles if a.role is Role.department_staff}
    return render(
        "home/workbench.html",
        resident=services.resident_home(user) if user.is_verified else None,
        community_work=services.social_worker_home(user, social_worker_community_ids(user)),
        overview=services.subdistrict_overview(staff_subdistrict_ids(user)),
        lists_home=lists_services.staff_home(staff_subdistrict_ids(user)),
        department_work=department_work(department_ids),
        is_admin=user.has_role(Role.admin),
        evaluation=evaluation_home(user),
        help=exchange.home_summary(user, social_worker_community_ids(user)),
        message_for=message_for,
    )
