"""Rounds of the two-way evaluation (双向评估, 政社互动 履职履约考评): set-up,
the round's state machine, evaluators' sheets, residents' satisfaction survey
and reminders. The arithmetic is `scoring`; results are `results`.

Services take objects, flush and never commit; they never touch the request."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from app import localtime
from app.accounts.models import ResidenceStatus, Role, RoleAssignment, User
from app.audit.services import record
from app.domain import DomainError, Forbidden, NotFound, Offer
from app.evaluation import scoring
from app.evaluation.models import (
    Criterion,
    Direction,
    EvaluationRound,
    Reminder,
    RoundState,
    Score,
    Sheet,
    SheetState,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
)
from app.extensions import db
from app.notifications.services import notify, register_kind
from app.permissions import social_worker_community_ids, staff_subdistrict_ids
from app.places.models import Community, Department
from app.sqltypes import utcnow

register_kind("evaluation.opened", _l("The evaluation “%(title)s” is open: %(count)s sheets wait for you, "
                                      "due %(deadline)s."))
register_kind("evaluation.reminder", _l("Reminder: %(count)s sheets of “%(title)s” are not submitted yet; "
                                        "they are due %(deadline)s."))
register_kind("evaluation.reopened", _l("The evaluation “%(title)s” is open again: %(reason)s"))

SURVEY_QUESTIONS = (3, 8)
EVALUATOR_ROLES = {Direction.gov_to_community: (Role.department_staff, Role.subdistrict_staff),
                   Direction.community_to_gov: (Role.committee_member, Role.social_worker)}
DEFAULT_QUESTIONS = ["居委会办事是否公开透明", "遇到困难时能否找到居委会帮忙", "居委会组织的活动是否贴近居民需要"]


# -- who may --------------------------------------------------------------------------------------

def manages(user, round_: EvaluationRound) -> bool:
    """The one rule for running a round: subdistrict staff of the round's subdistrict."""
    return round_.subdistrict_id in staff_subdistrict_ids(user)


def round_for(user, round_id: int, *, to: str = "read") -> EvaluationRound:
    """A round; `to="manage"` for its subdistrict's staff; `to="read"` (results,
    charts) once published, or for its staff; `to="survey"` for a verified
    resident of one of its communities while the survey is on. Anything else is
    not found, so an id never tells what exists elsewhere; a published round
    someone may read but not run is forbidden."""
    round_ = db.session.get(EvaluationRound, round_id)
    if round_ is None:
        raise NotFound
    if to in ("survey", "survey_proxy"):  # answered as a resident (or for one), whatever else the person is
        surveyed = round_.survey_enabled and round_.state is not RoundState.draft
        if surveyed and (_resident_of(user, round_) if to == "survey" else proxy_communities(user, round_)):
            return round_
        raise NotFound
    if manages(user, round_):
        return round_
    if to == "read" and round_.state is RoundState.published:
        return round_
    if round_.state is RoundState.published:
        raise Forbidden
    raise NotFound


def _resident_of(user, round_: EvaluationRound) -> bool:
    community = getattr(user, "community", None) if getattr(user, "is_authenticated", False) else None
    return bool(community and user.is_verified and community.subdistrict_id == round_.subdistrict_id)


def proxy_communities(user, round_: EvaluationRound) -> list[Community]:
    """Communities of the round where the user is a social worker: they may record answers for residents."""
    ids = social_worker_community_ids(user)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Community).where(
        Community.id.in_(ids), Community.subdistrict_id == round_.subdistrict_id).order_by(Community.name)))


def sheet_for(user, sheet_id: int, *, to: str = "fill") -> Sheet:
    """An evaluator's own sheet; `to="read"` also for the round's staff. Never anyone else's."""
    sheet = db.session.get(Sheet, sheet_id)
    if sheet is None:
        raise NotFound
    if getattr(user, "id", None) == sheet.evaluator_id:
        return sheet
    if to == "read" and manages(user, sheet.round):
        return sheet
    raise NotFound


def rounds_for(user) -> list[EvaluationRound]:
    """Published rounds for everyone; every round of their subdistricts for its staff."""
    visible = EvaluationRound.state == RoundState.published
    if ids := staff_subdistrict_ids(user):
        visible = sa.or_(visible, EvaluationRound.subdistrict_id.in_(ids))
    return list(db.session.scalars(sa.select(EvaluationRound).where(visible)
                                   .order_by(EvaluationRound.year.desc(), EvaluationRound.id.desc())))


# -- the round's state machine --------------------------------------------------------------------

# the audit action of each move (written out, so the audit sentences test finds them)
MOVE_ACTIONS = {"open": "evaluation.open", "close": "evaluation.close", "reopen": "evaluation.reopen",
                "publish": "evaluation.publish"}
TRANSITIONS = {
    "open": (RoundState.draft, RoundState.open),
    "close": (RoundState.open, RoundState.closed),
    "reopen": (RoundState.closed, RoundState.open),
    "publish": (RoundState.closed, RoundState.published),
}


class Actions(Offer):
    """What the user may do with a round now, from TRANSITIONS and `manages`. `edit`:
    settings, rubrics, who evaluates whom, the survey's questions; `results`: full results,
    individual sheets, export, report; `public`: the public results page."""
    names = """manage edit open close reopen publish remind results public"""


def actions_for(user, round_: EvaluationRound) -> Actions:
    published = round_.state is RoundState.published
    if not manages(user, round_):
        return Actions(public=published)
    moves = {name: round_.state is source for name, (source, _target) in TRANSITIONS.items()}
    return Actions(manage=True, edit=round_.state is RoundState.draft, remind=round_.state is RoundState.open,
                   results=round_.state in (RoundState.closed, RoundState.published), public=published, **moves)


def _move(actor, round_: EvaluationRound, name: str, **detail) -> None:
    source, target = TRANSITIONS[name]
    if round_.state is not source:
        raise DomainError(_l("The round cannot do that in its present state."))
    round_.state = target
    db.session.flush()
    record(actor, MOVE_ACTIONS[name], round_, title=round_.title, **detail)


def _require_draft(round_: EvaluationRound) -> None:
    if round_.state is not RoundState.draft:
        raise DomainError(_l("The round is open: its rubrics, evaluators and survey can no longer change."))


# -- set-up ---------------------------------------------------------------------------------------

def _check_settings(year, period_start, period_end, deadline, remind_days, survey_enabled, survey_weight,
                    excellent_from, good_from, pass_from) -> None:
    if not 2000 <= year <= 2100:
        raise DomainError(_l("Give a year such as 2026."), field="year")
    if period_start > period_end:
        raise DomainError(_l("The period ends after it starts."), field="period_end")
    if deadline < period_start:
        raise DomainError(_l("The deadline comes after the period starts."), field="deadline")
    if not 0 <= remind_days <= 60:
        raise DomainError(_l("Remind between 0 and 60 days before the deadline."), field="remind_days")
    if not 0 <= survey_weight <= 100 or (survey_enabled and not 1 <= survey_weight <= 90):
        raise DomainError(_l("A survey that counts weighs between 1 and 90."), field="survey_weight")
    if not 0 <= pass_from <= good_from <= excellent_from <= 100:
        raise DomainError(_l("Thresholds go up: pass ≤ good ≤ excellent ≤ 100."), field="excellent_from")


SETTINGS = ("title", "year", "period_start", "period_end", "deadline", "remind_days", "survey_enabled",
            "survey_weight", "excellent_from", "good_from", "pass_from")


def create_round(actor, subdistrict, *, title: str, year: int, period_start: date, period_end: date, deadline: date,
                 remind_days: int = 3, survey_enabled: bool = False, survey_weight: int = 0,
                 excellent_from: int = 90, good_from: int = 75, pass_from: int = 60) -> EvaluationRound:
    """A new round in draft, for one subdistrict and year."""
    title = title.strip()
    if not title:
        raise DomainError(_l("Give the round a title."), field="title")
    _check_settings(year, period_start, period_end, deadline, remind_days, survey_enabled, survey_weight,
                    excellent_from, good_from, pass_from)
    if db.session.scalar(sa.select(EvaluationRound.id).where(EvaluationRound.subdistrict_id == subdistrict.id,
                                                             EvaluationRound.year == year)):
        raise DomainError(_l("This subdistrict already has a round for %(year)s.", year=year), field="year")
    round_ = EvaluationRound(subdistrict_id=subdistrict.id, title=title[:80], year=year, period_start=period_start,
                             period_end=period_end, deadline=deadline, remind_days=remind_days,
                             survey_enabled=survey_enabled, survey_weight=survey_weight if survey_enabled else 0,
                             excellent_from=excellent_from, good_from=good_from, pass_from=pass_from,
                             created_by_id=getattr(actor, "id", None))
    db.session.add(round_)
    db.session.flush()
    record(actor, "evaluation.create_round", round_, title=round_.title, year=year)
    return round_


def update_round(actor, round_: EvaluationRound, **values) -> EvaluationRound:
    _require_draft(round_)
    merged = {name: values.get(name, getattr(round_, name)) for name in SETTINGS}
    merged["title"] = (merged["title"] or "").strip()
    if not merged["title"]:
        raise DomainError(_l("Give the round a title."), field="title")
    _check_settings(*(merged[n] for n in SETTINGS[1:]))
    if merged["year"] != round_.year and db.session.scalar(sa.select(EvaluationRound.id).where(
            EvaluationRound.subdistrict_id == round_.subdistrict_id, EvaluationRound.year == merged["year"])):
        raise DomainError(_l("This subdistrict already has a round for %(year)s.", year=merged["year"]),
                          field="year")
    if not merged["survey_enabled"]:
        merged["survey_weight"] = 0
    for name, value in merged.items():
        setattr(round_, name, value)
    db.session.flush()
    record(actor, "evaluation.update_round", round_, title=round_.title)
    return round_


def parse_rubric(text: str) -> list[tuple[str, int, str]]:
    """Rubric lines as typed: "name | weight | description" (full-width ｜ too), one criterion a line."""
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in re.split(r"[|｜]", line, maxsplit=2)]
        if len(parts) < 2 or not parts[0] or not re.fullmatch(r"\d{1,3}", parts[1]):
            raise DomainError(_l("Line %(n)s: write “name | weight | description”, the weight a whole number.",
                                 n=number), field="criteria")
        rows.append((parts[0][:60], int(parts[1]), (parts[2] if len(parts) > 2 else "")[:300]))
    return rows


def set_rubric(actor, round_: EvaluationRound, direction: Direction, rows: list[tuple[str, int, str]]) -> None:
    """A direction's criteria, replaced whole; weights must sum to exactly 100."""
    _require_draft(round_)
    try:
        scoring.check_weights({i: weight for i, (_n, weight, _d) in enumerate(rows)})
    except ValueError:
        total = sum(w for _n, w, _d in rows)
        raise DomainError(_l("The weights are whole numbers above zero and sum to 100 (now %(total)s).",
                             total=total), field="criteria") from None
    if len({name for name, _w, _d in rows}) != len(rows):
        raise DomainError(_l("Two criteria have the same name."), field="criteria")
    for criterion in [c for c in round_.criteria if c.direction is direction]:
        round_.criteria.remove(criterion)
    db.session.flush()
    for position, (name, weight, description) in enumerate(rows, start=1):
        round_.criteria.append(Criterion(direction=direction, position=position, name=name, weight=weight,
                                         description=description))
    db.session.flush()
    record(actor, "evaluation.rubric", round_, direction=direction,
           criteria=[f"{n} {w}" for n, w, _d in rows])


def criteria_of(round_: EvaluationRound, direction: Direction) -> list[Criterion]:
    return [c for c in round_.criteria if c.direction is direction]


def parties(round_: EvaluationRound, direction: Direction) -> list:
    """Who is evaluated in a direction: the subdistrict's active communities, or its departments."""
    if direction is Direction.gov_to_community:
        return list(db.session.scalars(sa.select(Community).where(
            Community.subdistrict_id == round_.subdistrict_id, Community.is_active.is_(True))
            .order_by(Community.name)))
    return list(db.session.scalars(sa.select(Department).where(
        Department.subdistrict_id == round_.subdistrict_id, Department.is_active.is_(True))
        .order_by(Department.name)))


def eligible_evaluators(round_: EvaluationRound, direction: Direction) -> list[User]:
    """Department staff and subdistrict staff score committees; committee members
    and social workers of a community score departments; active accounts only."""
    roles = EVALUATOR_ROLES[direction]
    communities = sa.select(Community.id).where(Community.subdistrict_id == round_.subdistrict_id)
    departments = sa.select(Department.id).where(Department.subdistrict_id == round_.subdistrict_id)
    in_scope = sa.or_(
        RoleAssignment.community_id.in_(communities), RoleAssignment.department_id.in_(departments),
        RoleAssignment.subdistrict_id == round_.subdistrict_id)
    return list(db.session.scalars(
        sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role.in_(roles), in_scope, User.is_active.is_(True))
        .distinct().order_by(User.display_name, User.id)))


def own_parties(evaluator: User, direction: Direction) -> set[int]:
    """The parties of a direction the evaluator belongs to (the committee or social-work
    team of a community, a department's staff): nobody scores their own."""
    if direction is Direction.gov_to_community:
        column, roles = RoleAssignment.community_id, (Role.committee_member, Role.social_worker)
    else:
        column, roles = RoleAssignment.department_id, (Role.department_staff,)
    return set(db.session.scalars(sa.select(column).where(RoleAssignment.user_id == evaluator.id,
                                                          RoleAssignment.role.in_(roles), column.is_not(None))))


def assign(actor, round_: EvaluationRound, direction: Direction, evaluator: User, party_ids: list[int]) -> int:
    """Who evaluates whom: one sheet per (evaluator, party); ones that exist are kept. Returns how many were added."""
    if round_.state not in (RoundState.draft, RoundState.open):
        raise DomainError(_l("Evaluators are assigned before the round closes."))
    if evaluator.id not in {u.id for u in eligible_evaluators(round_, direction)}:
        raise DomainError(_l("This person cannot evaluate in this direction."), field="evaluator_id")
    allowed = {p.id for p in parties(round_, direction)}
    if not party_ids or not set(party_ids) <= allowed:
        raise DomainError(_l("Choose whom they evaluate."), field="party_ids")
    if set(party_ids) & own_parties(evaluator, direction):
        raise DomainError(_l("Nobody evaluates their own committee or department."), field="party_ids")
    key = Sheet.community_id if direction is Direction.gov_to_community else Sheet.department_id
    existing = set(db.session.scalars(sa.select(key).where(Sheet.round_id == round_.id,
                                                           Sheet.evaluator_id == evaluator.id)))
    added = 0
    for party_id in sorted(set(party_ids) - existing):
        party = {"community_id": party_id} if direction is Direction.gov_to_community else {"department_id": party_id}
        db.session.add(Sheet(round_id=round_.id, direction=direction, evaluator_id=evaluator.id, **party))
        added += 1
    db.session.flush()
    if added:
        record(actor, "evaluation.assign", round_, direction=direction, evaluator=evaluator.display_name, sheets=added)
        if round_.state is RoundState.open:
            notify(evaluator, "evaluation.opened", endpoint="home.index", title=round_.title, count=added,
                   deadline=round_.deadline)
    return added


def assign_everyone(actor, round_: EvaluationRound, direction: Direction) -> int:
    """Every eligible evaluator scores every party of the direction (the usual set-up)."""
    party_ids = [p.id for p in parties(round_, direction)]
    if not party_ids:
        raise DomainError(_l("Nobody to evaluate in this direction."))
    total = 0
    for evaluator in eligible_evaluators(round_, direction):
        theirs = [p for p in party_ids if p not in own_parties(evaluator, direction)]
        total += assign(actor, round_, direction, evaluator, theirs) if theirs else 0
    return total


def unassign(actor, sheet: Sheet) -> None:
    _require_draft(sheet.round)
    record(actor, "evaluation.unassign", sheet.round, evaluator=sheet.evaluator.display_name,
           party=sheet.party.name)
    db.session.delete(sheet)
    db.session.flush()


def sheets_of(round_: EvaluationRound) -> list[Sheet]:
    return list(db.session.scalars(
        sa.select(Sheet).where(Sheet.round_id == round_.id)
        .options(selectinload(Sheet.evaluator), selectinload(Sheet.community), selectinload(Sheet.department))
        .order_by(Sheet.direction, Sheet.evaluator_id, Sheet.id)))


def set_questions(actor, round_: EvaluationRound, texts: list[str]) -> None:
    """The residents' survey: 3 to 8 short questions, each answered 1–5."""
    _require_draft(round_)
    texts = [t.strip()[:120] for t in texts if t.strip()]
    low, high = SURVEY_QUESTIONS
    if not low <= len(texts) <= high:
        raise DomainError(_l("Ask between %(low)s and %(high)s questions.", low=low, high=high), field="questions")
    round_.questions.clear()
    db.session.flush()
    for position, text in enumerate(texts, start=1):
        round_.questions.append(SurveyQuestion(position=position, text=text))
    db.session.flush()
    record(actor, "evaluation.questions", round_, count=len(texts))


def latest_round(subdistrict_id: int) -> EvaluationRound | None:
    return db.session.scalar(sa.select(EvaluationRound).where(EvaluationRound.subdistrict_id == subdistrict_id)
                             .order_by(EvaluationRound.year.desc()).limit(1))


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def copy_round(actor, source: EvaluationRound) -> EvaluationRound:
    """Last year's round as a start: the next year's draft with the same settings,
    rubrics, survey questions and assignments (evaluators and parties still active)."""
    year = source.year + 1
    title = source.title.replace(str(source.year), str(year))
    if title == source.title:
        title = f"{year} {source.title}"[:80]
    round_ = create_round(
        actor, source.subdistrict, title=title, year=year, period_start=_next_year(source.period_start),
        period_end=_next_year(source.period_end), deadline=_next_year(source.deadline),
        remind_days=source.remind_days, survey_enabled=source.survey_enabled, survey_weight=source.survey_weight,
        excellent_from=source.excellent_from, good_from=source.good_from, pass_from=source.pass_from)
    round_.copied_from_id = source.id
    for c in source.criteria:
        round_.criteria.append(Criterion(direction=c.direction, position=c.position, name=c.name, weight=c.weight,
                                         description=c.description))
    for q in source.questions:
        round_.questions.append(SurveyQuestion(position=q.position, text=q.text))
    db.session.flush()
    copied = 0
    for direction in Direction:
        evaluators = {u.id for u in eligible_evaluators(round_, direction)}
        active = {p.id for p in parties(round_, direction)}
        for sheet in sheets_of(source):
            if sheet.direction is direction and sheet.evaluator_id in evaluators and sheet.party_id in active:
                db.session.add(Sheet(round_id=round_.id, direction=direction, evaluator_id=sheet.evaluator_id,
                                     community_id=sheet.community_id, department_id=sheet.department_id))
                copied += 1
    db.session.flush()
    record(actor, "evaluation.copy_round", round_, source=source.title, sheets=copied)
    return round_


# -- opening, closing, publishing -----------------------------------------------------------------

def open_round(actor, round_: EvaluationRound) -> int:
    """Open the round: every direction with sheets has a rubric summing to 100, a
    survey that counts has its questions; each evaluator is notified once."""
    sheets = sheets_of(round_)
    if not sheets:
        raise DomainError(_l("Assign evaluators before opening the round."))
    for direction in {s.direction for s in sheets}:
        try:
            scoring.check_weights({c.id: c.weight for c in criteria_of(round_, direction)})
        except ValueError:
            raise DomainError(_l("Each direction with evaluators needs criteria whose weights sum to 100.")) from None
    if round_.survey_enabled and not SURVEY_QUESTIONS[0] <= len(round_.questions) <= SURVEY_QUESTIONS[1]:
        raise DomainError(_l("Ask between %(low)s and %(high)s questions.", low=SURVEY_QUESTIONS[0],
                             high=SURVEY_QUESTIONS[1]))
    _move(actor, round_, "open")
    round_.opened_at = round_.opened_at or utcnow()
    counts: dict[int, int] = {}
    for sheet in sheets:
        counts[sheet.evaluator_id] = counts.get(sheet.evaluator_id, 0) + 1
    evaluators = {s.evaluator_id: s.evaluator for s in sheets}
    for user_id, count in counts.items():
        notify(evaluators[user_id], "evaluation.opened", endpoint="home.index", title=round_.title, count=count,
               deadline=round_.deadline)
    return len(counts)


def close_round(actor, round_: EvaluationRound) -> None:
    """Close: sheets lock; only submitted sheets count."""
    _move(actor, round_, "close")
    round_.closed_at = utcnow()


def reopen_round(actor, round_: EvaluationRound, reason: str) -> None:
    """Reopen a closed round, for a reason the audit log keeps; evaluators are told why."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_l("Say why the round is reopened."), field="reason")
    _move(actor, round_, "reopen", reason=reason[:200])
    round_.closed_at = None
    for evaluator in {s.evaluator_id: s.evaluator for s in sheets_of(round_)}.values():
        notify(evaluator, "evaluation.reopened", endpoint="home.index", title=round_.title, reason=reason[:200])


def publish_round(actor, round_: EvaluationRound) -> None:
    """Publish: grades, finals and charts become public; sheets and evaluators never do."""
    _move(actor, round_, "publish")
    round_.published_at = utcnow()


# -- sheets ---------------------------------------------------------------------------------------

class SheetActions(Offer):
    names = """save submit reopen"""


def sheet_actions(user, sheet: Sheet) -> SheetActions:
    if getattr(user, "id", None) != sheet.evaluator_id or sheet.round.state is not RoundState.open:
        return SheetActions()
    draft = sheet.state is SheetState.draft
    return SheetActions(save=draft, submit=draft, reopen=not draft)


COMMENT_BELOW = Decimal(60)


def save_sheet(actor, sheet: Sheet, entries: dict[int, tuple[str, str]], *, submit: bool) -> Sheet:
    """Save an evaluator's scores (criterion id → (score as typed, comment)).
    A draft may leave criteria blank; a submitted sheet scores every criterion
    0–100 (whole or one decimal) and explains every score below 60."""
    if not sheet_actions(actor, sheet).save:
        raise DomainError(_l("This sheet cannot be changed now."))
    criteria = criteria_of(sheet.round, sheet.direction)
    existing = {s.criterion_id: s for s in sheet.scores}
    for criterion in criteria:
        text, comment = entries.get(criterion.id, ("", ""))
        text, comment = (text or "").strip(), (comment or "").strip()[:500]
        if not text:
            if submit:
                raise DomainError(_l("Score every criterion before submitting."), field=f"score_{criterion.id}")
            if criterion.id in existing:
                sheet.scores.remove(existing.pop(criterion.id))
            continue
        try:
            value = scoring.parse_score(text)
        except ValueError:
            raise DomainError(_l("A score from 0 to 100, whole or with one decimal, such as 85 or 85.5."),
                              field=f"score_{criterion.id}") from None
        if submit and value < COMMENT_BELOW and not comment:
            raise DomainError(_l("Explain a score below 60."), field=f"comment_{criterion.id}")
        score = existing.get(criterion.id)
        if score is None:
            sheet.scores.append(Score(criterion_id=criterion.id, value=value, comment=comment))
        else:
            score.value, score.comment = value, comment
    sheet.saved_at = utcnow()
    if submit:
        sheet.state, sheet.submitted_at = SheetState.submitted, utcnow()
    db.session.flush()
    record(actor, "evaluation.submit_sheet" if submit else "evaluation.save_sheet", sheet.round,
           party=sheet.party.name)
    return sheet


def reopen_sheet(actor, sheet: Sheet) -> None:
    if not sheet_actions(actor, sheet).reopen:
        raise DomainError(_l("This sheet cannot be reopened now."))
    sheet.state, sheet.submitted_at = SheetState.draft, None
    db.session.flush()
    record(actor, "evaluation.reopen_sheet", sheet.round, party=sheet.party.name)


def sheet_total(sheet: Sheet) -> Decimal | None:
    """The sheet's weighted total, once every criterion is scored."""
    criteria = criteria_of(sheet.round, sheet.direction)
    scores = {s.criterion_id: s.value for s in sheet.scores}
    if set(scores) != {c.id for c in criteria}:
        return None
    return scoring.sheet_total({c.id: Decimal(scores[c.id]) for c in criteria}, {c.id: c.weight for c in criteria})


@dataclass
class Todo:
    round: EvaluationRound
    sheets: list[Sheet]

    @property
    def waiting(self) -> int:
        return sum(1 for s in self.sheets if s.state is SheetState.draft)


def todo_for(user) -> list[Todo]:
    """An evaluator's sheets in open rounds, by round (the home page's to-do list)."""
    if not getattr(user, "is_authenticated", False):
        return []
    sheets = list(db.session.scalars(
        sa.select(Sheet).join(EvaluationRound, Sheet.round_id == EvaluationRound.id)
        .where(Sheet.evaluator_id == user.id, EvaluationRound.state == RoundState.open)
        .options(selectinload(Sheet.round), selectinload(Sheet.community), selectinload(Sheet.department))
        .order_by(EvaluationRound.year.desc(), Sheet.direction, Sheet.id)))
    todos: dict[int, Todo] = {}
    for sheet in sheets:
        todos.setdefault(sheet.round_id, Todo(sheet.round, [])).sheets.append(sheet)
    return list(todos.values())


def open_surveys_for(user) -> list[tuple[EvaluationRound, bool]]:
    """Open rounds whose survey a verified resident may answer, and whether they have."""
    if not (getattr(user, "is_authenticated", False) and user.is_verified):
        return []
    rounds = list(db.session.scalars(sa.select(EvaluationRound).where(
        EvaluationRound.subdistrict_id == user.community.subdistrict_id, EvaluationRound.state == RoundState.open,
        EvaluationRound.survey_enabled.is_(True))))
    answered = set(db.session.scalars(sa.select(SurveyResponse.round_id).where(
        SurveyResponse.resident_id == user.id, SurveyResponse.round_id.in_([r.id for r in rounds]))))
    return [(r, r.id in answered) for r in rounds]


# -- the residents' survey ------------------------------------------------------------------------

def response_of(round_: EvaluationRound, resident: User) -> SurveyResponse | None:
    return db.session.scalar(sa.select(SurveyResponse).where(SurveyResponse.round_id == round_.id,
                                                             SurveyResponse.resident_id == resident.id)
                             .options(selectinload(SurveyResponse.answers)))


def may_answer(round_: EvaluationRound) -> bool:
    return round_.survey_enabled and round_.state is RoundState.open


def answer_survey(actor, round_: EvaluationRound, resident: User, values: dict[int, int]) -> SurveyResponse:
    """A verified resident's answers about their own committee, one response per
    resident, editable until the round closes. `actor` is the resident, or a
    social worker of their community recording for a resident without a phone
    (the response is marked as recorded by them)."""
    if not may_answer(round_):
        raise DomainError(_l("The survey is not open."))
    if not (resident.is_verified and resident.community.subdistrict_id == round_.subdistrict_id):
        raise DomainError(_l("Only verified residents of the subdistrict answer the survey."), field="resident_id")
    by_proxy = actor.id != resident.id
    if by_proxy and resident.community_id not in social_worker_community_ids(actor):
        raise DomainError(_l("Only a social worker of the resident's community records answers for them."),
                          field="resident_id")
    questions = round_.questions
    for q in questions:
        if values.get(q.id) not in (1, 2, 3, 4, 5):
            raise DomainError(_l("Answer every question from 1 to 5."), field=f"q_{q.id}")
    # one response per resident: two first submissions at once (two tabs, a double tap) queue
    # here on the resident's row, and the second finds the first's response and edits it
    db.session.execute(sa.select(User.id).where(User.id == resident.id).with_for_update())
    response = response_of(round_, resident)
    if response is not None and by_proxy and response.recorded_by_id is None:
        raise DomainError(_l("This resident answered themselves; only they can change their answers."),
                          field="resident_id")
    if response is None:
        response = SurveyResponse(round_id=round_.id, community_id=resident.community_id, resident_id=resident.id)
        db.session.add(response)
    response.community_id = resident.community_id  # about the committee of where they live now
    response.recorded_by_id = actor.id if by_proxy else None
    response.updated_at = utcnow()
    given = {a.question_id: a for a in response.answers}
    for q in questions:
        if q.id in given:
            given[q.id].value = values[q.id]
        else:
            response.answers.append(SurveyAnswer(question_id=q.id, value=values[q.id]))
    db.session.flush()
    record(actor, "evaluation.survey_proxy" if by_proxy else "evaluation.survey", round_,
           community_id=resident.community_id)
    return response


@dataclass(frozen=True)
class SurveyTally:
    residents: int  # verified, active residents of the communities
    answered: int  # of them, those with a response
    by_proxy: int  # of those, recorded by a social worker


def survey_tally(round_: EvaluationRound, communities: list[Community]) -> SurveyTally:
    """How far the survey has got in the communities a social worker records for: two counts."""
    ids = [c.id for c in communities] or [-1]
    current = sa.and_(User.community_id.in_(ids), User.residence_status == ResidenceStatus.verified,
                      User.is_active.is_(True))
    residents = db.session.scalar(sa.select(sa.func.count(User.id)).where(current))
    answered, by_proxy = db.session.execute(
        sa.select(sa.func.count(SurveyResponse.id), sa.func.count(SurveyResponse.recorded_by_id))
        .join(User, User.id == SurveyResponse.resident_id)
        .where(SurveyResponse.round_id == round_.id, SurveyResponse.community_id.in_(ids), current)).one()
    return SurveyTally(residents=residents, answered=answered, by_proxy=by_proxy)


# -- progress and reminders -----------------------------------------------------------------------

@dataclass
class EvaluatorProgress:
    evaluator: User
    sheets: int
    submitted: int
    reminded_on: date | None


def progress(round_: EvaluationRound) -> list[EvaluatorProgress]:
    """Who has submitted: per evaluator, sheets and submitted sheets (one grouped query)."""
    rows = db.session.execute(
        sa.select(User, sa.func.count(Sheet.id),
                  sa.func.sum(sa.case((Sheet.state == SheetState.submitted, 1), else_=0)))
        .join(Sheet, Sheet.evaluator_id == User.id).where(Sheet.round_id == round_.id)
        .group_by(User.id).order_by(User.display_name, User.id)).all()
    reminded = dict(db.session.execute(
        sa.select(Reminder.user_id, sa.func.max(Reminder.sent_on)).where(Reminder.round_id == round_.id)
        .group_by(Reminder.user_id)).all())
    return [EvaluatorProgress(user, count, int(done or 0), reminded.get(user.id)) for user, count, done in rows]


def reminder_date(round_: EvaluationRound) -> date:
    return round_.deadline - timedelta(days=round_.remind_days)


def _unfinished(round_: EvaluationRound) -> dict[int, int]:
    return dict(db.session.execute(
        sa.select(Sheet.evaluator_id, sa.func.count(Sheet.id)).where(
            Sheet.round_id == round_.id, Sheet.state == SheetState.draft).group_by(Sheet.evaluator_id)).all())


def _reminded_automatically(round_: EvaluationRound, today: date) -> sa.Select:
    """Evaluators the automatic reminder leaves alone: reminded automatically before, or by hand today."""
    return sa.select(Reminder.user_id).where(Reminder.round_id == round_.id,
                                             sa.or_(Reminder.by_hand.is_(False), Reminder.sent_on == today))


def reminders_due(round_: EvaluationRound, today: date | None = None) -> bool:
    """Whether the automatic reminder has evaluators left to remind (cheap: read on every page of the round)."""
    today = today or localtime.today()
    if round_.state is not RoundState.open or today < reminder_date(round_) or today > round_.deadline:
        return False
    reminded = _reminded_automatically(round_, today)
    return db.session.scalar(sa.select(sa.func.count(Sheet.id)).where(
        Sheet.round_id == round_.id, Sheet.state == SheetState.draft, Sheet.evaluator_id.not_in(reminded))) > 0


def send_due_reminders(round_id: int) -> int:
    """The automatic reminders of a round whose reminder date has come (a page
    of the round was read): each evaluator still to submit is reminded once."""
    round_ = db.session.get(EvaluationRound, round_id)
    return send_reminders(None, round_, by_hand=False) if round_ is not None else 0


def own_subdistrict(user):
    """The subdistrict a staff member sets up rounds for (the first of theirs)."""
    from app.places.models import Subdistrict

    return db.session.get(Subdistrict, min(staff_subdistrict_ids(user)))


def send_reminders(actor, round_: EvaluationRound, *, by_hand: bool, today: date | None = None) -> int:
    """Remind evaluators whose sheets are not all submitted. The automatic
    reminder (N days before the deadline) reaches each evaluator once per round;
    by hand, staff may remind again, at most once a day per evaluator."""
    today = today or localtime.today()
    if round_.state is not RoundState.open:
        raise DomainError(_l("Reminders go out while the round is open."))
    if not by_hand and not reminders_due(round_, today):
        return 0
    unfinished = _unfinished(round_)
    if by_hand:
        skip = sa.select(Reminder.user_id).where(Reminder.round_id == round_.id, Reminder.sent_on == today)
    else:
        skip = _reminded_automatically(round_, today)
    skipped = set(db.session.scalars(skip))
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(set(unfinished) - skipped)))}
    for user_id, user in users.items():
        db.session.add(Reminder(round_id=round_.id, user_id=user_id, sent_on=today, by_hand=by_hand))
        notify(user, "evaluation.reminder", endpoint="home.index", title=round_.title, count=unfinished[user_id],
               deadline=round_.deadline)
    db.session.flush()
    if users:
        record(actor, "evaluation.remind", round_, evaluators=len(users), by_hand=by_hand)
    return len(users)


def remind_due_rounds(today: date | None = None) -> int:
    """Every open round's automatic reminders that are due (for `flask evaluation remind`)."""
    total = 0
    for round_ in db.session.scalars(sa.select(EvaluationRound).where(EvaluationRound.state == RoundState.open)):
        total += send_reminders(None, round_, by_hand=False, today=today)
    return total


@dataclass
class EvaluationHome:
    """The evaluation's part of a person's workbench."""
    todos: list[Todo]
    surveys: list[tuple[EvaluationRound, bool]]
    proxy_rounds: list[EvaluationRound]
    manage: bool


def evaluation_home(user) -> EvaluationHome:
    proxy_rounds = []
    if community_ids := social_worker_community_ids(user):
        subdistricts = sa.select(Community.subdistrict_id).where(Community.id.in_(community_ids))
        proxy_rounds = list(db.session.scalars(sa.select(EvaluationRound).where(
            EvaluationRound.subdistrict_id.in_(subdistricts), EvaluationRound.state == RoundState.open,
            EvaluationRound.survey_enabled.is_(True)).order_by(EvaluationRound.year.desc())))
    return EvaluationHome(todo_for(user), open_surveys_for(user), proxy_rounds, bool(staff_subdistrict_ids(user)))
