"""The route × role matrix: every route of the app, for every kind of person,
answers the status written here. A route missing from MATRIX fails the
completeness test, so every new route must be added with its expectations.

Personas: A anonymous · R verified resident · U unverified resident ·
O social worker of another community · S social worker of the community ·
D subdistrict staff · M admin. Objects in URLs belong to community A (the
social worker's); the notification belongs to R. POSTs carry no form data
(CSRF is tested separately), so a permitted POST usually answers 422.
"""
from __future__ import annotations

import pytest

from app.extensions import db
from tests.conftest import Client

PERSONAS = "ARUOSDM"


def row(spec: str) -> dict[str, int]:
    """'302 403 403 200 200 200 200' in PERSONAS order."""
    codes = [int(c) for c in spec.split()]
    assert len(codes) == len(PERSONAS)
    return dict(zip(PERSONAS, codes, strict=True))


ADMIN_GET = row("302 403 403 403 403 403 200")
ADMIN_POST = row("302 403 403 403 403 403 422")
# Flask-WTF treats an empty POST as no form data, so an edit form falls back to
# the stored values: the object is saved unchanged.
ADMIN_EDIT = row("302 403 403 403 403 403 303")
ALL_200 = row("200 200 200 200 200 200 200")
ALL_303 = row("303 303 303 303 303 303 303")
USER_200 = row("302 200 200 200 200 200 200")
USER_303 = row("302 303 303 303 303 303 303")
USER_422 = row("302 422 422 422 422 422 422")
ANON_ONLY_200 = row("200 303 303 303 303 303 303")
ANON_ONLY_422 = row("422 303 303 303 303 303 303")

MATRIX: dict[str, dict[str, int]] = {
    # places
    "GET /": ALL_200,  # the communities for visitors, each role's workbench for others
    "GET /communities": ALL_200,
    "GET /healthz": ALL_200,
    "GET /c/<int:community_id>": ALL_200,
    "GET /manage/communities": row("302 403 403 200 200 200 200"),
    "GET /admin": ADMIN_GET,
    "GET /admin/subdistricts/new": ADMIN_GET,
    "POST /admin/subdistricts/new": ADMIN_POST,
    "GET /admin/subdistricts/<int:subdistrict_id>/edit": ADMIN_GET,
    "POST /admin/subdistricts/<int:subdistrict_id>/edit": ADMIN_EDIT,
    "GET /admin/communities/new": ADMIN_GET,
    "POST /admin/communities/new": ADMIN_POST,
    "GET /admin/communities/<int:community_id>/edit": ADMIN_GET,
    "POST /admin/communities/<int:community_id>/edit": ADMIN_EDIT,
    "POST /admin/communities/<int:community_id>/grids": ADMIN_POST,
    "GET /admin/grids/<int:grid_id>/edit": ADMIN_GET,
    "POST /admin/grids/<int:grid_id>/edit": ADMIN_EDIT,
    "GET /admin/departments/new": ADMIN_GET,
    "POST /admin/departments/new": ADMIN_POST,
    "GET /admin/departments/<int:department_id>/edit": ADMIN_GET,
    "POST /admin/departments/<int:department_id>/edit": ADMIN_EDIT,
    # accounts
    "GET /register": ANON_ONLY_200,
    "POST /register": ANON_ONLY_422,
    "POST /register/check": ALL_200,
    "GET /login": ANON_ONLY_200,
    "POST /login": ANON_ONLY_422,
    "POST /logout": ALL_303,
    "POST /logout-everywhere": USER_303,
    "GET /account": USER_200,
    "GET /account/password": USER_200,
    "POST /account/password": USER_422,
    "GET /account/residence": USER_200,
    # an empty POST falls back to the stored community: a pending resident re-sends it
    "POST /account/residence": row("302 422 303 422 422 422 422"),
    "GET /display": ALL_200,
    "GET /favicon.ico": ALL_200,
    "POST /prefs/locale": ALL_303,
    "POST /prefs/text-size": ALL_303,
    # a visitor's preference links (a signed-in person's preferences are the POST forms: ignored, back)
    "GET /prefs/locale": ALL_303,
    "GET /prefs/text-size": ALL_303,
    "GET /verification": row("302 403 403 200 200 403 403"),
    "POST /verification/<int:user_id>/verify": row("302 403 403 404 303 403 403"),
    "POST /verification/<int:user_id>/reject": row("302 403 403 404 422 403 403"),
    "GET /admin/users": ADMIN_GET,
    "GET /admin/users/new": ADMIN_GET,
    "POST /admin/users/new": ADMIN_POST,
    "GET /admin/users/<int:user_id>": ADMIN_GET,
    "GET /admin/users/<int:user_id>/edit": ADMIN_GET,
    "POST /admin/users/<int:user_id>/edit": ADMIN_EDIT,
    "POST /admin/users/<int:user_id>/roles": ADMIN_POST,
    "POST /admin/users/<int:user_id>/roles/<int:assignment_id>/delete": row("302 403 403 403 403 403 303"),
    "POST /admin/users/<int:user_id>/active": row("302 403 403 403 403 403 303"),
    # notifications
    "GET /notifications": USER_200,
    "GET /notifications/badge": USER_200,
    "POST /notifications/<int:notification_id>/read": row("302 303 404 404 404 404 404"),
    "POST /notifications/read-all": USER_303,
    # audit
    "GET /audit": row("302 403 403 403 403 200 200"),
    "GET /audit.csv": row("302 403 403 403 403 200 200"),
    "GET /audit.xlsx": row("302 403 403 403 403 200 200"),
    # consultation: reading is public (村(居)务公开)
    "GET /c/<int:community_id>/topics": ALL_200,
    "GET /topics/<int:topic_id>": ALL_200,
    "GET /topics/<int:topic_id>/comments": ALL_200,  # the next page of comments
    "GET /comments/<int:comment_id>/replies": ALL_200,  # the next replies of a thread
    "GET /photos/<token>": ALL_200,
    "GET /my/topics": USER_200,
    # posting: residents of the community, and its social workers on a resident's behalf
    "GET /c/<int:community_id>/topics/new": row("302 200 200 403 200 403 403"),
    "POST /c/<int:community_id>/topics/new": row("302 422 422 403 422 403 403"),
    # the topic (published, by R): only its author edits, submits, withdraws; an
    # empty edit re-saves the stored text, which a published topic refuses (422)
    "GET /topics/<int:topic_id>/edit": row("302 200 403 403 403 403 403"),
    "POST /topics/<int:topic_id>/edit": row("302 422 403 403 403 403 403"),
    "POST /topics/<int:topic_id>/submit": row("302 303 403 403 403 403 403"),
    "POST /topics/<int:topic_id>/withdraw": row("302 303 403 403 403 403 403"),
    # supporting and following: the service refuses non-residents with a message (303 back)
    "POST /topics/<int:topic_id>/support": USER_303,
    "POST /topics/<int:topic_id>/unsupport": USER_303,
    "POST /topics/<int:topic_id>/follow": USER_303,
    "POST /topics/<int:topic_id>/comments": USER_422,
    "POST /topics/<int:topic_id>/rating": USER_422,
    "GET /topics/<int:topic_id>/report": USER_200,
    "POST /topics/<int:topic_id>/report": USER_422,
    # the comment (by R)
    "GET /comments/<int:comment_id>/edit": row("302 200 403 403 403 403 403"),
    # the reply form: verified residents of the community (a social worker is not one)
    "GET /comments/<int:comment_id>/reply": row("302 200 403 403 403 403 403"),
    "POST /comments/<int:comment_id>/edit": row("302 422 403 403 403 403 403"),  # the stance is required
    "POST /comments/<int:comment_id>/delete": row("302 303 403 403 403 403 403"),
    "GET /comments/<int:comment_id>/report": USER_200,
    "POST /comments/<int:comment_id>/report": USER_422,
    # moderation: social workers of the topic's community; another community's answers 404
    "POST /topics/<int:topic_id>/moderate": row("302 403 403 404 400 403 403"),
    "POST /topics/<int:topic_id>/merge": row("302 403 403 404 422 403 403"),
    "POST /topics/<int:topic_id>/agenda": row("302 403 403 404 303 403 403"),
    "POST /topics/<int:topic_id>/decision": row("302 403 403 404 422 403 403"),
    "POST /topics/<int:topic_id>/progress": row("302 403 403 404 422 403 403"),
    "POST /comments/<int:comment_id>/moderate": row("302 403 403 404 400 403 403"),
    "GET /c/<int:community_id>/moderation": row("302 403 403 404 200 403 403"),
    "GET /c/<int:community_id>/consultation-settings": row("302 403 403 404 200 403 403"),
    "POST /c/<int:community_id>/consultation-settings": row("302 403 403 404 422 403 403"),
    "GET /c/<int:community_id>/blocks": row("302 403 403 404 200 403 403"),
    "POST /c/<int:community_id>/blocks": row("302 403 403 404 422 403 403"),
    "POST /blocks/<int:block_id>/lift": row("302 403 403 404 303 403 403"),
    # meetings: records are public; the community's social workers organise; members vote
    "GET /c/<int:community_id>/bodies": ALL_200,
    "GET /bodies/<int:body_id>": ALL_200,
    "GET /meetings/<int:meeting_id>": ALL_200,
    "GET /meetings/<int:meeting_id>/quorum": ALL_200,
    "GET /c/<int:community_id>/bodies/new": row("302 403 403 404 200 403 403"),
    "POST /c/<int:community_id>/bodies/new": row("302 403 403 404 422 403 403"),
    "POST /bodies/<int:body_id>/members": row("302 403 403 404 422 403 403"),
    "POST /members/<int:member_id>/remove": row("302 403 403 404 303 403 403"),
    "GET /bodies/<int:body_id>/meetings/new": row("302 403 403 404 200 403 403"),
    "POST /bodies/<int:body_id>/meetings/new": row("302 403 403 404 422 403 403"),
    "GET /meetings/<int:meeting_id>/qr.svg": row("302 403 403 404 200 403 403"),
    "GET /meetings/<int:meeting_id>/checkin": USER_200,
    "GET /my/meetings": USER_200,
    # time bank
    "GET /my/timebank": USER_200,
    "GET /my/timebank/statement": USER_200,
    "GET /my/timebank/statement.xlsx": USER_200,
    "GET /my/timebank/statement.csv": USER_200,
    # without a resident chosen the page asks for one
    "GET /c/<int:community_id>/timebank/statement": row("302 403 403 404 200 403 403"),
    "GET /c/<int:community_id>/timebank/statement.xlsx": row("302 403 403 404 200 403 403"),
    "GET /c/<int:community_id>/timebank/statement.csv": row("302 403 403 404 200 403 403"),
    "GET /c/<int:community_id>/timebank/volunteers": row("302 403 403 404 200 403 403"),
    "GET /c/<int:community_id>/timebank/volunteers.xlsx": row("302 403 403 404 200 403 403"),
    "GET /c/<int:community_id>/timebank/volunteers.csv": row("302 403 403 404 200 403 403"),
    "GET /c/<int:community_id>/timebank": ALL_200,
    "GET /c/<int:community_id>/activities": ALL_200,
    "GET /my/certificates": USER_200,
    "GET /my/volunteer": USER_200,
    "GET /c/<int:community_id>/timebank/manage": row("302 403 403 404 200 403 403"),
    "POST /c/<int:community_id>/timebank/manage": row("302 403 403 404 422 403 403"),
    "POST /c/<int:community_id>/timebank/settings": row("302 403 403 404 422 403 403"),
    "POST /c/<int:community_id>/timebank/credit-line": row("302 403 403 404 422 403 403"),
    "POST /txns/<int:txn_id>/reversal-request": row("302 403 403 404 303 403 403"),
    # the second person: the community's social workers, or its subdistrict's staff (one social worker only)
    "GET /c/<int:community_id>/timebank/requests": row("302 403 403 404 200 200 403"),
    "POST /ledger-requests/<int:request_id>/confirm": row("302 403 403 404 303 303 403"),
    "POST /ledger-requests/<int:request_id>/decline": row("302 403 403 404 303 303 403"),
    "POST /my/volunteer": USER_422,
    "POST /my/certificates": USER_422,
    "GET /certificates/<code>": ALL_200,
    "GET /certificates/<code>/qr.svg": ALL_200,
    "GET /verify": ALL_200,
    "GET /activities/<int:activity_id>": ALL_200,
    "GET /c/<int:community_id>/activities/new": row("302 403 403 404 200 403 403"),
    "POST /c/<int:community_id>/activities/new": row("302 403 403 404 422 403 403"),
    # R has a place; others are refused by the service with a message (303 back)
    "POST /activities/<int:activity_id>/signup": USER_303,
    "POST /activities/<int:activity_id>/cancel-signup": USER_303,
    "GET /activities/<int:activity_id>/check": USER_200,
    "POST /activities/<int:activity_id>/check": USER_303,
    "GET /activities/<int:activity_id>/roster": row("302 403 403 404 200 403 403"),
    "GET /activities/<int:activity_id>/qr.svg": row("302 403 403 404 200 403 403"),
    "POST /activities/<int:activity_id>/attendance": row("302 403 403 404 303 403 403"),
    # the activity lies ahead: hours are confirmed after it (422 with the message on the roster)
    "POST /activities/<int:activity_id>/confirm": row("302 403 403 404 422 403 403"),
    "POST /activities/<int:activity_id>/cancel": row("302 403 403 404 303 403 403"),
    "POST /meetings/<int:meeting_id>/checkin": USER_422,
    "POST /meetings/<int:meeting_id>/attendance": row("302 403 403 404 303 403 403"),
    "POST /meetings/<int:meeting_id>/checkin-code": row("302 403 403 404 303 403 403"),
    "POST /meetings/<int:meeting_id>/motions": row("302 403 403 404 422 403 403"),
    "POST /meetings/<int:meeting_id>/minutes": row("302 403 403 404 422 403 403"),
    "POST /motions/<int:motion_id>/vote": row("302 303 403 403 403 403 403"),  # R is a present member
    "POST /motions/<int:motion_id>/hand-vote": row("302 403 403 404 303 403 403"),
    "POST /motions/<int:motion_id>/tally": row("302 403 403 404 422 403 403"),
    # a second confirmer may also be subdistrict staff (or a committee member of the body)
    "POST /motions/<int:motion_id>/confirm": row("302 403 403 403 303 303 403"),
    "POST /motions/<int:motion_id>/withdraw": row("302 403 403 404 422 403 403"),
    "POST /motions/<int:motion_id>/close": row("302 403 403 404 303 403 403"),
    "POST /motions/<int:motion_id>/correct": row("302 403 403 404 303 403 403"),
}

# Form data for routes whose permission check needs it to get that far ({name} from the world).
DATA = {
    "POST /meetings/<int:meeting_id>/attendance": {"member_id": "{member_id}", "status": "present"},
    "POST /motions/<int:motion_id>/vote": {"choice": "yes"},
    "POST /motions/<int:motion_id>/hand-vote": {"member_id": "{member_id}", "choice": "no"},
    "POST /motions/<int:motion_id>/correct": {"reason": "漏记"},
    "POST /activities/<int:activity_id>/attendance": {"signup_id": "{signup_id}", "attended": "1"},
    "POST /activities/<int:activity_id>/cancel": {"reason": "天气原因"},
    "POST /txns/<int:txn_id>/reversal-request": {"reason": "录错"},
}

HEADERS = {"POST /register/check": {"HX-Request": "true", "HX-Trigger-Name": "login"}}


def routes(app) -> set[str]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add(f"{method} {rule.rule}")
    return found


def test_every_route_is_in_the_matrix(app):
    actual = routes(app)
    missing = sorted(actual - set(MATRIX))
    stale = sorted(set(MATRIX) - actual)
    assert not missing, f"routes missing from the matrix: {missing}"
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


class World:
    def __init__(self, places, make_user):
        from app.accounts.models import Role
        from app.accounts.services import assign_role
        from app.notifications.services import notify

        self.personas = {
            "R": make_user(),
            "U": make_user(verified=False),
            "O": make_user("social_worker", scope=places.other),
            "S": make_user("social_worker"),
            "D": make_user("subdistrict_staff"),
            "M": make_user("admin"),
        }
        self.target = make_user(verified=False, display_name="待认证居民")
        assignment = assign_role(None, self.target, Role.committee_member, places.community.id)
        note = notify(self.personas["R"], "accounts.residence_verified", link="/account", community="朝阳社区")
        topic, comment, photo, block = self._consultation(places)
        body, member, meeting, motion = self._meetings(places)
        activity, signup = self._activity(places)
        db.session.commit()
        self.values = {
            "community_id": places.community.id, "subdistrict_id": places.subdistrict.id,
            "grid_id": places.grid.id, "department_id": places.department.id,
            "user_id": self.target.id, "assignment_id": assignment.id, "notification_id": note.id,
            "topic_id": topic.id, "comment_id": comment.id, "token": photo.token, "block_id": block.id,
            "body_id": body.id, "member_id": member.id, "meeting_id": meeting.id, "motion_id": motion.id,
            "activity_id": activity.id, "signup_id": signup.id, "code": self._certificate(),
            **self._ledger_request(places),
        }

    def _ledger_request(self, places) -> dict:
        """A grant to R asked for by a staff member other than S (so S may confirm it)."""
        from app.timebank import ledger
        from app.timebank.models import Txn

        other = self.personas["O"]  # any user id will do as the requester; S decides
        request = ledger.request_grant(other, self.personas["R"], 60, "优先对象")
        return {"request_id": request.id, "txn_id": db.session.scalar(db.select(Txn.id).order_by(Txn.id))}

    def _certificate(self) -> str:
        """R's certificate for a day of recorded service."""
        from app.timebank import ledger
        from app.volunteering import certificates

        today = services_now().date()
        ledger.credit_service(self.personas["R"], 60, description="助老", served_on=today,
                              recorded_by=self.personas["S"], verified_by=self.personas["S"],
                              idempotency_key=f"matrix-{self.target.id}")
        return certificates.issue(self.personas["R"], today, today).code

    def _activity(self, places):
        """An activity in community A with R signed up."""
        from datetime import timedelta

        from app.volunteering import services as activities

        start = services_now() + timedelta(days=3)
        activity = activities.publish(self.personas["S"], places.community, title="敬老服务", description="",
                                      category="助老", place="活动中心", starts_at=start,
                                      ends_at=start + timedelta(hours=2), signup_deadline=start - timedelta(hours=1),
                                      places=5, minutes=120)
        activities.register_volunteer(self.personas["R"], skills="", availability="", consent=True)
        return activity, activities.sign_up(self.personas["R"], activity)

    def _meetings(self, places):
        """A representatives' meeting with R as a present member and an open roll-call motion."""
        from app.meetings import services
        from app.meetings.models import AttendanceStatus, BodyKind

        chair = self.personas["S"]
        body = services.save_body(chair, places.community, name=f"居民代表会议{self.target.id}",
                                  kind=BodyKind.residents_representatives)
        member = services.add_member(chair, body, user=self.personas["R"])
        meeting = services.schedule_meeting(chair, body, title="例会", starts_at=services.utcnow(), place="会议室",
                                            free_items=["议程一"])
        services.record_attendance(chair, meeting, member, AttendanceStatus.present)
        motion = services.open_motion(chair, meeting, title="", item=meeting.items[0])
        return body, member, meeting, motion

    def _consultation(self, places):
        """A published topic by R with a photo and R's comment; U blocked from posting."""
        import io

        from PIL import Image

        from app.consultation import services
        from app.consultation.models import Stance

        png = io.BytesIO()
        Image.new("RGB", (40, 30), (10, 120, 200)).save(png, format="PNG")
        author, moderator = self.personas["R"], self.personas["S"]
        topic = services.create_topic(author, places.community, title="楼道照明", body="5幢楼道灯坏了",
                                      category_id=None, uploads=[png.getvalue()], submit=True)
        services.publish(moderator, topic)
        comment = services.add_comment(author, topic, body="补充：晚上很黑", stance=Stance.support,
                                       idempotency_key="matrix")
        block = services.block_user(moderator, places.community, self.personas["U"], days=1, reason="测试")
        return topic, comment, topic.photos[0], block

    def url(self, rule: str) -> str:
        import re

        return re.sub(r"<(?:int:)?(\w+)>", lambda m: str(self.values[m.group(1)]), rule)


def services_now():
    from app.sqltypes import utcnow

    return utcnow()


def _login(app, user) -> Client:
    """Log in by starting a server-side session directly (the login form is tested elsewhere)."""
    from app.accounts.services import start_session

    client = Client(app.test_client())
    token = start_session(user)
    db.session.commit()
    with client.session_transaction() as s:
        s["_user_id"] = str(user.id)
        s["_fresh"] = True
        s["sid"] = token
    return client


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_answers_each_persona_as_written(app, places, make_user, route):
    app.config["WTF_CSRF_ENABLED"] = False
    world = World(places, make_user)
    method, rule = route.split(" ", 1)
    got, expected = {}, MATRIX[route]
    for persona in PERSONAS:
        client = Client(app.test_client()) if persona == "A" else _login(app, world.personas[persona])
        data = {k: v.format(**world.values) for k, v in DATA.get(route, {}).items()}
        response = client.open(world.url(rule), method=method, headers=HEADERS.get(route, {}), data=data)
        got[persona] = response.status_code
        # each persona meets the world as it was: after a POST that may have
        # changed it (verified someone, withdrew the topic…), build a fresh one
        if method == "POST" and response.status_code < 400 and persona != "A":
            world = World(places, make_user)
    assert got == expected, f"{route}: got {got}"
