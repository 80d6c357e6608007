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
import sqlalchemy as sa

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
    # the resident picker's matches: the community's social workers; without the field's name, a bad request
    "GET /c/<int:community_id>/residents/pick": row("302 403 403 404 400 403 403"),
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
    # family: R is linked with a relative in a sibling community, gave them hours and named them proxy
    "GET /my/family": USER_200,
    "POST /my/family/links": USER_422,
    "POST /my/family/links/<int:link_id>/<verb>": row("302 303 404 404 404 404 404"),
    "POST /my/family/proxies": USER_422,
    "POST /family/proxies/<int:proxy_id>/revoke": row("302 303 404 404 303 404 404"),
    "GET /my/family/give": USER_200,
    "POST /my/family/give": USER_422,
    "GET /my/family/donate": USER_200,
    "POST /my/family/donate": USER_422,
    # the sender, the receiver, the social workers of both communities (not O: a third community)
    "GET /family/transfers/<int:transfer_id>": row("302 200 404 404 200 404 404"),
    "GET /c/<int:community_id>/timebank/family": row("302 403 403 404 200 403 403"),
    "POST /c/<int:community_id>/timebank/family/proxies": row("302 403 403 404 422 403 403"),
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
    # evaluation: D runs subdistrict A's rounds; S evaluates the department in the open round (their sheet) and
    # records survey answers for residents; R answers the survey. Results pages use the published round.
    "GET /evaluation": ALL_200,
    "GET /evaluation/new": row("302 403 403 403 403 200 403"),
    "POST /evaluation/new": row("302 403 403 403 403 422 403"),
    "POST /evaluation/<int:round_id>/copy": row("302 403 403 403 403 303 403"),
    "GET /evaluation/<int:round_id>": row("302 403 403 403 403 200 403"),
    "POST /evaluation/<int:round_id>/settings": row("302 403 403 403 403 422 403"),
    "POST /evaluation/<int:round_id>/rubric/<any(gov_to_community, community_to_gov):direction>":
        row("302 403 403 403 403 422 403"),
    "POST /evaluation/<int:round_id>/assign/<any(gov_to_community, community_to_gov):direction>":
        row("302 403 403 403 403 422 403"),
    "POST /evaluation/<int:round_id>/assign-everyone/<any(gov_to_community, community_to_gov):direction>":
        row("302 403 403 403 403 303 403"),
    # the round is open: removing a sheet is refused with a message (303 back)
    "POST /evaluation/sheets/<int:sheet_id>/unassign": row("302 403 403 403 403 303 403"),
    "POST /evaluation/<int:round_id>/questions": row("302 403 403 403 403 422 403"),
    "POST /evaluation/<int:round_id>/open": row("302 403 403 403 403 303 403"),
    "POST /evaluation/<int:round_id>/close": row("302 403 403 403 403 303 403"),
    "POST /evaluation/<int:round_id>/reopen": row("302 403 403 403 403 422 403"),
    "POST /evaluation/<int:round_id>/publish": row("302 403 403 403 403 303 403"),
    "POST /evaluation/<int:round_id>/remind": row("302 403 403 403 403 303 403"),
    "GET /evaluation/<int:round_id>/progress": row("302 403 403 403 403 200 403"),
    "GET /evaluation/<int:round_id>/results": ALL_200,
    "GET /evaluation/<int:round_id>/results/<any(gov_to_community, community_to_gov):direction>/<int:party_id>":
        ALL_200,
    "GET /evaluation/<int:round_id>/report": row("302 403 403 403 403 200 403"),
    "GET /evaluation/<int:round_id>/results.xlsx": row("302 403 403 403 403 200 403"),
    "GET /evaluation/<int:round_id>/charts/<any(gov_to_community, community_to_gov):direction>/ranking.svg": ALL_200,
    "GET /evaluation/<int:round_id>/charts/<any(gov_to_community, community_to_gov):direction>/<int:party_id>"
    "/criteria.svg": ALL_200,
    "GET /evaluation/<int:round_id>/charts/<any(gov_to_community, community_to_gov):direction>/<int:party_id>"
    "/years.svg": ALL_200,
    # only the evaluator fills a sheet; the round's staff read it; nobody else learns it exists
    "GET /evaluation/sheets/<int:sheet_id>": row("302 404 404 404 200 200 404"),
    "POST /evaluation/sheets/<int:sheet_id>": row("302 404 404 404 303 403 404"),
    "POST /evaluation/sheets/<int:sheet_id>/reopen": row("302 404 404 404 303 404 404"),
    "GET /evaluation/<int:round_id>/survey": row("302 200 404 404 404 404 404"),
    "POST /evaluation/<int:round_id>/survey": row("302 422 404 404 404 404 404"),
    "GET /evaluation/<int:round_id>/survey/record": row("302 404 404 404 200 404 404"),
    "POST /evaluation/<int:round_id>/survey/record": row("302 404 404 404 422 404 404"),
    # admission and agreements: none of the personas is department staff (their pages are
    # tested in tests/agreements); S speaks for the community's committee, D decides admission
    "GET /departments/<int:department_id>": row("302 403 403 403 403 403 403"),
    "GET /departments/<int:department_id>/requests/new": row("302 403 403 403 403 403 403"),
    "POST /departments/<int:department_id>/requests/new": row("302 403 403 403 403 403 403"),
    "GET /departments/<int:department_id>/agreements/new": row("302 403 403 403 403 403 403"),
    "POST /departments/<int:department_id>/agreements/new": row("302 403 403 403 403 403 403"),
    "GET /requests/<int:admission_id>": row("302 404 404 404 200 200 200"),
    "POST /requests/<int:admission_id>/decide": row("302 403 403 403 403 422 403"),
    "POST /requests/<int:admission_id>/decline": row("302 403 403 404 422 403 403"),
    "POST /requests/<int:admission_id>/withdraw": row("302 403 403 403 403 403 403"),
    "GET /s/<int:subdistrict_id>/requests": row("302 403 403 403 403 200 403"),
    "GET /s/<int:subdistrict_id>/admission-settings": row("302 403 403 403 403 200 403"),
    "POST /s/<int:subdistrict_id>/admission-settings": row("302 403 403 403 403 422 403"),
    "GET /c/<int:community_id>/requests": row("302 404 404 404 200 200 200"),
    "GET /s/<int:subdistrict_id>/reduction": ALL_200,
    "GET /s/<int:subdistrict_id>/reduction.svg": ALL_200,
    "GET /s/<int:subdistrict_id>/agreements": ALL_200,
    "GET /agreements/<int:agreement_id>": ALL_200,  # signed: public (村(居)务公开)
    "GET /agreement-photos/<photo_token>": ALL_200,
    # the agreement is in force: its terms are refused (303 with a message), forms without data 422
    "POST /agreements/<int:agreement_id>/items": row("302 404 404 404 422 403 403"),
    "POST /agreements/<int:agreement_id>/items/<int:agreement_item_id>/remove": row("302 404 404 404 303 403 403"),
    "POST /agreements/<int:agreement_id>/milestones": row("302 404 404 404 422 403 403"),
    "POST /agreements/<int:agreement_id>/milestones/<int:milestone_id>/remove": row("302 404 404 404 303 403 403"),
    "POST /agreements/<int:agreement_id>/sign": row("302 404 404 404 303 403 403"),
    "POST /agreements/<int:agreement_id>/amend": row("302 404 404 404 303 403 403"),
    "POST /agreements/<int:agreement_id>/items/<int:agreement_item_id>/fulfilment": row("302 404 404 404 422 403 403"),
    "POST /agreements/<int:agreement_id>/milestones/<int:milestone_id>/payment": row("302 404 404 404 422 403 403"),
    # the two lists: published versions are public; drafts and editing are the subdistrict staff's (D)
    "GET /subdistricts/<int:subdistrict_id>/lists": ALL_200,
    "GET /subdistricts/<int:subdistrict_id>/lists/ask": ALL_200,
    "GET /subdistricts/<int:subdistrict_id>/lists/versions": ALL_200,
    "GET /subdistricts/<int:subdistrict_id>/lists/compare": ALL_200,
    "GET /subdistricts/<int:subdistrict_id>/lists/certificates.svg": ALL_200,
    "GET /lists/versions/<int:version_id>": ALL_200,
    "GET /lists/versions/<int:version_id>/lists.xlsx": ALL_200,
    "GET /subdistricts/<int:subdistrict_id>/lists/manage": row("302 403 403 403 403 200 403"),
    # a draft is already open: refused with a message, 303 back to the manage page
    "POST /subdistricts/<int:subdistrict_id>/lists/drafts": row("302 403 403 403 403 303 403"),
    "POST /subdistricts/<int:subdistrict_id>/lists/import": row("302 403 403 403 403 422 403"),
    "GET /lists/drafts/<int:draft_id>": row("302 403 403 403 403 200 403"),
    "GET /lists/drafts/<int:draft_id>/preview": row("302 403 403 403 403 200 403"),
    "GET /lists/drafts/<int:draft_id>/items/new": row("302 403 403 403 403 200 403"),
    "POST /lists/drafts/<int:draft_id>/items/new": row("302 403 403 403 403 422 403"),
    "GET /lists/drafts/<int:draft_id>/items/<int:item_id>/edit": row("302 403 403 403 403 200 403"),
    "POST /lists/drafts/<int:draft_id>/items/<int:item_id>/edit": row("302 403 403 403 403 422 403"),
    "GET /lists/drafts/<int:draft_id>/items/<int:item_id>/remove": row("302 403 403 403 403 200 403"),
    "POST /lists/drafts/<int:draft_id>/items/<int:item_id>/remove": row("302 403 403 403 403 422 403"),
    "POST /lists/drafts/<int:draft_id>/publish": row("302 403 403 403 403 422 403"),
    "POST /lists/drafts/<int:draft_id>/discard": row("302 403 403 403 403 303 403"),
    # help between neighbours (Time bank II): R asked for help (pool support asked) and received a volunteer's
    # record; a third resident lists a standing offer. Only the counterparties and the community's social
    # workers see a request or a record (an open request also its community's volunteers).
    "GET /help": USER_200,
    "GET /help/new": USER_200,
    "POST /help/new": USER_422,
    "GET /help/<int:help_id>": row("302 200 404 404 200 404 404"),
    "POST /help/<int:help_id>/offer": row("302 422 404 404 422 404 404"),
    "POST /help/<int:help_id>/choose": row("302 303 404 404 303 404 404"),
    "POST /help/<int:help_id>/withdraw": row("302 303 404 404 303 404 404"),
    "POST /help/<int:help_id>/message": row("302 422 404 404 422 404 404"),
    "POST /help/<int:help_id>/cancel": row("302 303 404 404 303 404 404"),
    "POST /help/<int:help_id>/confirm": row("302 422 404 404 422 404 404"),
    "POST /help/<int:help_id>/pool": row("302 403 404 404 422 404 404"),
    "POST /help/wider": USER_303,
    "GET /help/listings": USER_200,
    "POST /help/listings": USER_422,
    "POST /help/listings/<int:listing_id>/withdraw": row("302 403 404 404 303 404 404"),
    "GET /help/claims/new": USER_200,
    "POST /help/claims/new": USER_422,
    "GET /help/claims/<int:claim_id>": row("302 200 404 404 200 404 404"),
    "POST /help/claims/<int:claim_id>/answer": row("302 422 404 404 422 404 404"),
    "POST /help/claims/<int:claim_id>/decide": row("302 422 404 404 422 404 404"),
    "GET /c/<int:community_id>/help/manage": row("302 403 403 404 200 403 403"),
    "POST /c/<int:community_id>/help/categories": row("302 403 403 404 422 403 403"),
    "POST /c/<int:community_id>/help/priority": row("302 403 403 404 422 403 403"),
}

# Routes whose url takes another object of the world than the one its argument names ({argument: world value}).
OVERRIDES = {route: {"round_id": "published_round_id"} for route in MATRIX
             if route.startswith("GET /evaluation/<int:round_id>/") and ("/results" in route or "/charts/" in route
                                                                        or route.endswith("/report"))}

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

        self.make_user = make_user
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
        agreement_values = self._agreements(places, make_user)
        version, draft, item = self._lists(places)
        db.session.commit()
        self.values = {
            "community_id": places.community.id, "subdistrict_id": places.subdistrict.id,
            "grid_id": places.grid.id, "department_id": places.department.id,
            "user_id": self.target.id, "assignment_id": assignment.id, "notification_id": note.id,
            "topic_id": topic.id, "comment_id": comment.id, "token": photo.token, "block_id": block.id,
            "body_id": body.id, "member_id": member.id, "meeting_id": meeting.id, "motion_id": motion.id,
            "activity_id": activity.id, "signup_id": signup.id, "code": self._certificate(),
            **self._ledger_request(places), **self._exchange(places, make_user), **self._family(places), **self._evaluation(places),
            "version_id": version.id, "draft_id": draft.id, "item_id": item.id, **agreement_values,
        }

    def _family(self, places) -> dict:
        """R linked with a relative in the sibling community, 30 minutes given to them, and named proxy."""
        from app.timebank import family
        from app.timebank.family_models import Relation

        r = self.personas["R"]
        kin = self.make_user(community=places.sibling, display_name="亲属")
        link = family.ask_link(r, kin, Relation.child)
        family.accept_link(kin, link)
        transfer = family.give_to_relative(r, kin, 30, idempotency_key=f"matrix-{kin.id}")
        proxy = family.designate_proxy(r, r, kin, adult=True)
        return {"link_id": link.id, "verb": "end", "transfer_id": transfer.id, "proxy_id": proxy.id}

    def _evaluation(self, places) -> dict:
        """Subdistrict A's open round (S evaluates the department, R may answer the survey) and a published one."""
        from datetime import date

        from app.evaluation import services
        from app.evaluation.models import Direction

        staff, worker = self.personas["D"], self.personas["S"]
        rounds = []
        from app.evaluation.models import EvaluationRound

        taken = db.session.scalar(sa.select(sa.func.max(EvaluationRound.year)).where(
            EvaluationRound.subdistrict_id == places.subdistrict.id)) or 2000
        for year in (taken + 1, taken + 2):  # a subdistrict has one round a year; worlds share subdistrict A
            r = services.create_round(staff, places.subdistrict, title=f"{year}年度双向评估", year=year,
                                      period_start=date(year, 1, 1), period_end=date(year, 12, 31),
                                      deadline=date(year, 12, 20), survey_enabled=True, survey_weight=30)
            services.set_rubric(staff, r, Direction.community_to_gov, [("清单执行", 60, ""), ("支持社区", 40, "")])
            services.set_questions(staff, r, services.DEFAULT_QUESTIONS)
            services.assign(staff, r, Direction.community_to_gov, worker, [places.department.id])
            services.open_round(staff, r)
            rounds.append(r)
        published = rounds[1]
        sheet = services.sheets_of(published)[0]
        services.save_sheet(worker, sheet, {c.id: ("80", "") for c in published.criteria}, submit=True)
        services.close_round(staff, published)
        services.publish_round(staff, published)
        return {"round_id": rounds[0].id, "published_round_id": published.id,
                "sheet_id": services.sheets_of(rounds[0])[0].id, "direction": "community_to_gov",
                "party_id": places.department.id}

    def _agreements(self, places, make_user) -> dict:
        """A request from 民政科 to community A awaiting D's decision, and an agreement in force
        (signed by 民政科 and by S for the committee) with an item reported with a photo."""
        import io
        from datetime import timedelta

        from PIL import Image

        from app.agreements import admission, services as agreements
        from app.agreements.models import Delivery

        clerk = make_user("department_staff")
        start = services_now().date()
        req = admission.submit(clerk, places.department, [places.community], title="消防演练", description="",
                               starts_on=start + timedelta(days=70), ends_on=start + timedelta(days=71),
                               workload="两天", needs_stamp=False, claimed_item_id=None)[0]
        agreement = agreements.create(clerk, places.department, places.community, title="走访委托",
                                      starts_on=start, ends_on=start + timedelta(days=100), internal_note="内部")
        item = agreements.add_item(clerk, agreement, title="入户走访", deliverables="", due_on=start, amount="100")
        milestone = agreements.add_milestone(clerk, agreement, label="全款", due_on=start, amount="100")
        agreements.sign(clerk, agreement)
        agreements.sign(self.personas["S"], agreement)
        png = io.BytesIO()
        Image.new("RGB", (40, 30), (10, 120, 200)).save(png, format="PNG")
        report = agreements.record_fulfilment(clerk, agreement, item.id, Delivery.delivered, "", [png.getvalue()])
        db.session.flush()
        return {"admission_id": req.id, "agreement_id": agreement.id, "agreement_item_id": item.id,
                "milestone_id": milestone.id, "photo_token": report.photos[0].token}

    def _ledger_request(self, places) -> dict:
        """A grant to R asked for by a staff member other than S (so S may confirm it)."""
        from app.timebank import ledger
        from app.timebank.models import Txn

        other = self.personas["O"]  # any user id will do as the requester; S decides
        request = ledger.request_grant(other, self.personas["R"], 60, "优先对象")
        return {"request_id": request.id, "txn_id": db.session.scalar(db.select(Txn.id).order_by(Txn.id))}

    def _exchange(self, places, make_user) -> dict:
        """R's help request asking the pool, a neighbour's record of help given to R, the neighbour's standing offer."""
        from datetime import timedelta

        from app.timebank import exchange

        resident, neighbour = self.personas["R"], make_user()
        category = exchange.categories(places.community.id)[0]
        help_request = exchange.post_request(resident, resident, category_id=category.id, place="3幢501",
                                             needed_at=services_now() + timedelta(days=2), minutes=60,
                                             pool_reason="独居老人")
        claim = exchange.start_claim(neighbour, resident, minutes=60, description="修水管",
                                     served_on=services_now().date())
        listing = exchange.save_listing(neighbour, category_id=category.id, title="周末上门理发")
        return {"help_id": help_request.id, "claim_id": claim.id, "listing_id": listing.id}

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

    def _lists(self, places):
        """Version 1 of the subdistrict's lists, published by D, and an open draft revising it."""
        from app.lists import services
        from app.localtime import today

        staff = self.personas["D"]
        version = services.latest_published(places.subdistrict.id)
        if version is None:
            first = services.start_draft(staff, places.subdistrict)
            services.add_item(staff, first, reason="首次发布", kind="statutory", title="调解民间纠纷")
            version = services.publish(staff, first, effective_on=today())
        draft = services.open_draft(places.subdistrict.id) or services.start_draft(staff, places.subdistrict)
        return version, draft, services.items_of(draft)[0]

    def _meetings(self, places):
        """A representatives' meeting with R as a present member and an open roll-call motion."""
        from app.meetings import agenda, attendance, bodies, motions
        from app.sqltypes import utcnow
        from app.meetings.models import AttendanceStatus, BodyKind

        chair = self.personas["S"]
        body = bodies.save_body(chair, places.community, name=f"居民代表会议{self.target.id}",
                                  kind=BodyKind.residents_representatives)
        member = bodies.add_member(chair, body, user=self.personas["R"])
        meeting = agenda.schedule_meeting(chair, body, title="例会", starts_at=utcnow(), place="会议室",
                                            free_items=["议程一"])
        attendance.record_attendance(chair, meeting, member, AttendanceStatus.present)
        motion = motions.open_motion(chair, meeting, title="", item=meeting.items[0])
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

    def url(self, rule: str, overrides: dict | None = None) -> str:
        import re

        values = {**self.values, **{k: self.values[v] for k, v in (overrides or {}).items()}}
        return re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", lambda m: str(values[m.group(1)]), rule)


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
        response = client.open(world.url(rule, OVERRIDES.get(route)), method=method, headers=HEADERS.get(route, {}), data=data)
        got[persona] = response.status_code
        # each persona meets the world as it was: after a POST that may have
        # changed it (verified someone, withdrew the topic…), build a fresh one
        if method == "POST" and response.status_code < 400 and persona != "A":
            world = World(places, make_user)
    assert got == expected, f"{route}: got {got}"
