"""Deliberative bodies (议事机构), their members, meetings, attendance,
motions and votes. Closed motions never change; a correction is a new motion
linked to the one it corrects."""
from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Optional

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.domain import Labelled
from app.extensions import db
from app.meetings.rules import RuleSet
from app.sqltypes import UTCDateTime, enum_column, utcnow


class BodyKind(Labelled):
    residents_meeting = "residents_meeting", _l("Residents' meeting (居民会议)")  # 居民会议
    villagers_meeting = "villagers_meeting", _l("Villagers' meeting (村民会议)")  # 村民会议
    residents_representatives = "residents_representatives", _l("Residents' representatives meeting (居民代表会议)")  # 居民代表会议
    villagers_representatives = "villagers_representatives", _l("Villagers' representatives meeting (村民代表会议)")  # 村民代表会议
    owners_assembly = "owners_assembly", _l("Owners' assembly (业主大会)")  # 业主大会
    council = "council", _l("Residents' council (居民议事会)")  # 居民议事会
    joint_meeting = "joint_meeting", _l("Joint meeting (联席会议)")  # 联席会议 (committee + property company + owners' committee)


BODY_KIND_LABELS = BodyKind.labels()

RULE_SET_OF = {
    BodyKind.residents_meeting: RuleSet.residents_meeting,
    BodyKind.villagers_meeting: RuleSet.villagers_meeting,
    BodyKind.residents_representatives: RuleSet.representatives_meeting,
    BodyKind.villagers_representatives: RuleSet.representatives_meeting,
    BodyKind.owners_assembly: RuleSet.owners_assembly,
    BodyKind.council: RuleSet.configurable,
    BodyKind.joint_meeting: RuleSet.configurable,
}


class EligibleBasis(enum.Enum):
    """Whom a 居民会议 counts (第九条): residents aged 18+, one representative per
    household, or the elected representatives of each residents' group."""

    members = "members"
    households = "households"
    group_representatives = "group_representatives"


class Body(db.Model):
    __table_args__ = (
        sa.UniqueConstraint("community_id", "name"),
        sa.CheckConstraint("quorum_den > 0 AND decision_den > 0 AND quorum_num <= quorum_den"
                           " AND decision_num <= decision_den", name="fractions"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    kind: Mapped[BodyKind] = mapped_column(enum_column(BodyKind))
    eligible_basis: Mapped[EligibleBasis] = mapped_column(enum_column(EligibleBasis), default=EligibleBasis.members)
    # 居民会议 of a whole community: the eligible number, when members are not listed one by one
    eligible_count: Mapped[Optional[int]]
    # 议事会 / 联席会议 only: quorum and decision shares, inclusive (以上) or strict (超过)
    quorum_num: Mapped[int] = mapped_column(default=2)
    quorum_den: Mapped[int] = mapped_column(default=3)
    quorum_inclusive: Mapped[bool] = mapped_column(default=True)
    decision_num: Mapped[int] = mapped_column(default=1)
    decision_den: Mapped[int] = mapped_column(default=2)
    decision_inclusive: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    community = relationship("Community")
    members: Mapped[list["BodyMember"]] = relationship(back_populates="body", order_by="BodyMember.id")

    @property
    def rule_set(self) -> RuleSet:
        return RULE_SET_OF[self.kind]


class BodyMember(db.Model):
    """A seat in a body: a resident with an account, or a named person (the
    chair records their attendance and hand votes)."""

    __table_args__ = (
        sa.UniqueConstraint("body_id", "user_id"),
        sa.CheckConstraint("area IS NULL OR area > 0", name="area_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("body.id"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    name: Mapped[str] = mapped_column(sa.String(40))
    household: Mapped[str] = mapped_column(sa.String(60), default="")  # 村民会议: the household counted
    is_adult: Mapped[bool] = mapped_column(default=True)  # 村民会议: aged 18 or over
    area: Mapped[Optional[Decimal]] = mapped_column(sa.Numeric(10, 2))  # 业主大会: exclusive floor area m²
    is_active: Mapped[bool] = mapped_column(default=True)

    body: Mapped[Body] = relationship(back_populates="members")
    user = relationship("User")


class MeetingState(enum.Enum):
    scheduled = "scheduled"
    in_session = "in_session"
    closed = "closed"


class Meeting(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(sa.ForeignKey("body.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(80))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(100), default="")
    state: Mapped[MeetingState] = mapped_column(enum_column(MeetingState), default=MeetingState.scheduled)
    checkin_code: Mapped[str] = mapped_column(sa.String(6))
    # wrong codes typed since this code was shown; at the limit, check-in by code waits for a new code
    checkin_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    minutes_published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    body: Mapped[Body] = relationship()
    items: Mapped[list["AgendaItem"]] = relationship(order_by="AgendaItem.position")


class CheckinFailure(db.Model):
    """Wrong check-in codes one person typed for a meeting's current code."""

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)


class AgendaItem(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    topic_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("topic.id"))
    title: Mapped[str] = mapped_column(sa.String(80))

    topic = relationship("Topic")


class AttendanceStatus(Labelled):
    present = "present", _l("Present")  # 出席
    leave = "leave", _l("On leave")  # 请假 (not present)
    absent = "absent", _l("Absent")  # 缺席


ATTENDANCE_LABELS = AttendanceStatus.labels()


class _OnePerMember:
    """A row about one body member in one meeting or motion (`per`, its key
    column), at most one per member: a member is marked once, votes once."""

    per: ClassVar[str]
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("body_member.id"), sort_order=-1)

    @declared_attr.directive
    def __table_args__(cls) -> tuple:
        return (sa.UniqueConstraint(cls.per, "member_id"),)


class Attendance(_OnePerMember, db.Model):
    """Present, on leave or absent: marked by the organiser or by checking in."""

    per = "meeting_id"
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    self_checkin: Mapped[bool] = mapped_column(default=False)

    member: Mapped[BodyMember] = relationship()


class MotionMode(enum.Enum):
    roll_call = "roll_call"  # each present member votes (or the chair records a hand vote)
    tally = "tally"  # counts entered by the chair, confirmed by a second staff member


class MotionState(enum.Enum):
    open = "open"
    closed = "closed"
    withdrawn = "withdrawn"  # by the organiser, with a reason shown in the minutes; no result


class Choice(Labelled):
    yes = "yes", _l("In favour")  # 赞成
    no = "no", _l("Against")  # 反对
    abstain = "abstain", _l("Abstain")  # 弃权


CHOICE_LABELS = Choice.labels()


class Motion(db.Model):
    __table_args__ = (
        sa.CheckConstraint("state <> 'withdrawn' OR withdrawal_reason <> ''", name="withdrawn_with_reason"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    agenda_item_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("agenda_item.id"))
    title: Mapped[str] = mapped_column(sa.String(120))
    mode: Mapped[MotionMode] = mapped_column(enum_column(MotionMode), default=MotionMode.roll_call)
    is_secret: Mapped[bool] = mapped_column(default=False)
    is_major: Mapped[bool] = mapped_column(default=False)  # 业主大会 第二百七十八条 items 6–8
    state: Mapped[MotionState] = mapped_column(enum_column(MotionState), default=MotionState.open)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # closed or withdrawn: when and by whom
    closed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    withdrawal_reason: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    quorate: Mapped[Optional[bool]]
    carried: Mapped[Optional[bool]]
    rule_applied: Mapped[str] = mapped_column(sa.String(200), default="")
    result_text: Mapped[str] = mapped_column(sa.Text, default="")
    figures: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    corrects_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("motion.id"))
    correction_reason: Mapped[str] = mapped_column(sa.String(300), default="")

    meeting: Mapped[Meeting] = relationship()
    agenda_item: Mapped[Optional[AgendaItem]] = relationship()


class Vote(_OnePerMember, db.Model):
    """An open (roll-call) vote: who and what together; changeable until close."""

    per = "motion_id"
    motion_id: Mapped[int] = mapped_column(sa.ForeignKey("motion.id"), index=True)
    choice: Mapped[Choice] = mapped_column(enum_column(Choice))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))  # the chair, for a hand vote

    member: Mapped[BodyMember] = relationship()


class BallotReceipt(_OnePerMember, db.Model):
    """Who cast a secret ballot (never what): it keeps a member from voting twice."""

    per = "motion_id"
    motion_id: Mapped[int] = mapped_column(sa.ForeignKey("motion.id"), index=True)


class BallotBox(db.Model):
    """What was voted in a secret ballot: one row per motion, the number of
    ballots for each choice (and, for 业主大会, the floor area behind them),
    and nothing per ballot.

    Why a box of counts and not one row per ballot: a ballot row is written
    in the voter's own transaction, next to their receipt, and whatever the
    row's key, the database remembers that moment. SQLite keeps rows in rowid
    order (even a table with a random text key has a hidden rowid, and one
    WITHOUT ROWID is ordered by that key, which the writer chose then);
    PostgreSQL appends each row where there is room (ctid follows insertion)
    and stamps it with the writing transaction's id (xmin), which is the
    receipt's xmin too. Random keys, shuffling at close or leaving out
    timestamps each close one of these doors and leave the others open. A
    box has no per-ballot row to rejoin: each ballot adds one to a count in
    the one row of the motion (its xmin then names the last voter, who is on
    the receipts anyway, and not what they chose). A floor area on a ballot
    would be as good as the owner's name, so areas are summed here too.

    What this does not hide: totals (1 voter in favour is known), and someone
    who reads the database between two ballots, or its raw pages and
    write-ahead log before old row versions are cleaned away, sees a count
    move. tests/meetings/test_ballot_secrecy.py checks every column, order
    and transaction id an SQL query can see."""

    __table_args__ = (
        sa.CheckConstraint("yes >= 0 AND no >= 0 AND abstain >= 0", name="counts"),
        sa.CheckConstraint("area_yes >= 0 AND area_no >= 0 AND area_abstain >= 0", name="areas"),
    )
    motion_id: Mapped[int] = mapped_column(sa.ForeignKey("motion.id"), primary_key=True, autoincrement=False)
    yes: Mapped[int] = mapped_column(default=0)
    no: Mapped[int] = mapped_column(default=0)
    abstain: Mapped[int] = mapped_column(default=0)
    area_yes: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    area_no: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    area_abstain: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))


class MotionRoll(db.Model):
    """The members a motion is decided among, fixed when voting opens: who was
    eligible and who was present then. Later attendance changes (a late
    arrival, someone marked absent) do not change an open vote's figures, and
    a vote once cast is never dropped from the count."""

    motion_id: Mapped[int] = mapped_column(sa.ForeignKey("motion.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("body_member.id"), primary_key=True)
    is_present: Mapped[bool]

    member: Mapped[BodyMember] = relationship()


class Tally(db.Model):
    """Counts entered by the chair for a large meeting; they count only once a
    second staff member confirms them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(sa.ForeignKey("motion.id"), unique=True)
    present: Mapped[Optional[int]]  # 实到, when attendance was counted, not listed
    yes: Mapped[int]
    no: Mapped[int]
    abstain: Mapped[int]
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(sa.ForeignKey("user.id"))
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
