"""A city-scale database for benchmarks: `flask bench-data --scale N`.

At N = 1: 20 communities, 20,000 residents, 100,000 topics, 500,000 comments
(heavy-tailed: the busiest topic has 2,003), 2,000 meetings, 50,000
activities and 1,000,000 ledger postings; other scales are proportional
(0.01, 0.1 …). A few residents (the first verified resident of each of the
first five communities) make thousands of movements.

The services are far too slow for this many rows (one flush, one audit
entry, one notification at a time), so rows are written with bulk Core
inserts in batches, with the ids chosen here; but they are the rows the
services would have written: topics move through their states with a
timeline event per transition, cached counters (support_count,
comment_count, report_count) are what the services recount, comments held by
keywords or hidden after reports are not counted, motions carry the figures
and result `rules.evaluate` gives, each confirmed activity credits its
attending volunteers exactly once (service record + service transaction),
and the ledger is balanced: every transaction's postings sum to zero,
account balances are their postings' sum, no account but issuance goes
below its floor at any point in time (movements are simulated in time
order), and every transaction has its audit entry, like `timebank_post`
writes. `flask timebank verify` reports it clean.

Deterministic for a seed and a day: times are relative to today's midnight
UTC. Refuses to write into a database that already has users. Every account
has the password BENCH_PASSWORD; logins are listed at the end of a run.
"""
from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import (
    Account,
    Activity,
    AgendaItem,
    Attendance,
    AuditEntry,
    Body,
    BodyMember,
    Category,
    Comment,
    Community,
    ConsultationSettings,
    Department,
    Follow,
    Grid,
    LedgerRequest,
    Meeting,
    Motion,
    Notification,
    Posting,
    Rating,
    Report,
    RoleAssignment,
    ServiceRecord,
    Signup,
    Subdistrict,
    Support,
    TimebankSettings,
    Topic,
    TopicEvent,
    Txn,
    User,
    VolunteerProfile,
    Vote,
)

BENCH_PASSWORD = "linli-bench-2026"
BATCH = 5000

# The sizes at scale 1 (the city).
BASE = {"communities": 20, "residents": 20_000, "topics": 100_000, "comments": 500_000, "meetings": 2_000,
        "activities": 50_000, "postings": 1_000_000}
# Shares of the comments the busiest topics get: 0.4006 % of 500,000 is 2,003.
HEAD = [0.004006, 0.003, 0.0024, 0.002, 0.0016, 0.0012, 0.001, 0.001, 0.0008, 0.0008]
HEAVY_USERS = 5
SUPPORT_THRESHOLD = 10
REPORTS_TO_HIDE = 3
UNIT = 30
KEYWORDS = ["代开发票", "贷款"]

# Topic states and their shares (merged topics are left out: merging moves supports and followers).
STATE_SHARES = [("draft", 0.03), ("pending_review", 0.02), ("rejected_by_moderator", 0.02), ("withdrawn", 0.03),
                ("published", 0.55), ("deliberating", 0.12), ("decided", 0.05), ("in_progress", 0.08),
                ("completed", 0.10)]
PATHS = {  # the transitions a topic took to reach its state
    "draft": [],
    "pending_review": ["pending_review"],
    "rejected_by_moderator": ["pending_review", "rejected_by_moderator"],
    "withdrawn": ["pending_review", "published", "withdrawn"],
    "published": ["pending_review", "published"],
    "deliberating": ["pending_review", "published", "deliberating"],
    "decided": ["pending_review", "published", "deliberating", "decided"],
    "in_progress": ["pending_review", "published", "deliberating", "decided", "in_progress"],
    "completed": ["pending_review", "published", "deliberating", "decided", "in_progress", "completed"],
}
PUBLIC = {"published", "deliberating", "decided", "in_progress", "completed", "merged"}
COMMENTABLE = {"published", "deliberating", "decided", "in_progress", "completed"}
DECIDED = {"decided", "in_progress", "completed"}

SUBDISTRICTS = ["娄东街道", "城厢镇", "沙溪镇", "浏河镇", "浮桥镇", "璜泾镇", "双凤镇", "陆渡街道"]
COMMUNITY_NAMES = ["朝阳", "南园", "东亭", "新毛", "洛阳", "胜利", "李园", "南郊", "半泾", "太平", "弇山", "县府",
                   "西门", "北门", "东林", "金仓湖", "致和塘", "上海东", "郑和", "人民"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰文辉志强海燕红梅凤英德明国华建华"
CATEGORIES = ["社区环境", "物业管理", "加装电梯", "停车", "养老助餐", "文体活动", "安全", "其他"]
TOPIC_SUBJECTS = ["加装电梯意见征集", "楼道堆物清理", "电动车充电桩增设", "小区绿化补种", "垃圾分类投放点调整",
                  "老年助餐点选址", "停车位划线", "路灯维修", "健身器材更新", "雨污管道疏通", "门禁系统改造",
                  "广场舞噪音协调", "快递柜设置", "儿童游乐场改造", "消防通道占用", "屋顶防水维修"]
PLACES = ["1幢", "3幢", "5幢", "7幢", "北门", "南门", "中心广场", "社区活动中心", "地下车库", "2号楼东侧"]
SENTENCES = ["支持！我家住五楼，每天上下楼很吃力。", "希望尽快落实，老人们都在等。", "费用怎么分摊需要说清楚。",
             "一楼住户的顾虑也要考虑。", "建议先做个问卷，看看大家的意见。", "物业已经在排查了，请耐心等待。",
             "这个问题存在很久了，晚上经过很不安全。", "可以请设计单位来现场讲解方案。", "同意楼上的看法。",
             "能不能分期实施，先解决最急的部分？", "我愿意参加志愿服务，一起把这件事办好。",
             "上次开会说过，后来没有下文了。", "希望公开预算明细。", "周末人多，建议错峰施工。",
             "感谢社区的协调，辛苦了！", "小孩放学经过这里，安全最重要。", "我反对，占用绿地不合适。",
             "建议和业委会、物业一起开个联席会议。"]
ACTIVITY_TITLES = [("助老", "助老陪伴：陪同老人复诊"), ("助老", "独居老人上门探访"), ("环境", "楼道清理"),
                   ("环境", "社区环境整治"), ("文明劝导", "非机动车规范停放劝导"), ("防疫", "健康知识宣传"),
                   ("助学", "四点半课堂辅导"), ("其他", "助餐点帮厨"), ("其他", "社区文艺汇演服务")]
MEETING_PLACES = ["社区党群服务中心二楼会议室", "社区活动中心多功能厅", "居委会议事厅"]


def is_empty() -> bool:
    return not db.session.scalar(sa.select(User.id).limit(1))


def sizes(scale: float) -> dict[str, int]:
    """The row counts at `scale` (1 is the issue's city); postings are even (two per transaction)."""
    n = {k: max(1, round(v * scale)) for k, v in BASE.items()}
    n["communities"] = max(2, n["communities"])
    n["residents"] = max(10 * n["communities"], n["residents"])
    n["postings"] = max(4, n["postings"] // 2 * 2)
    return n


@dataclass
class TopicPlan:
    community: int
    author: int
    state: str
    times: dict  # step → datetime (created, pending_review, published, …)
    title: str
    body: str
    location: str
    category: int
    id: int = 0
    outcome: str | None = None
    threshold_crossed: bool = False
    decision_note: str = ""
    decided_by: int | None = None
    agenda: tuple | None = None  # (time, note)
    supporters: list = field(default_factory=list)
    reports: int = 0


class Generator:
    def __init__(self, scale: float, seed: int = 2026, echo=print):
        self.scale, self.n, self.rng, self.echo = scale, sizes(scale), random.Random(seed), echo
        self.now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.start = time.perf_counter()
        self.rows = 0
        self.ids: dict[str, int] = {}
        # executemany per batch (psycopg pipelines it; measured faster here than one multi-row INSERT)
        self.engine = db.engine

    # -- plumbing -----------------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def insert(self, conn, model, rows: list[dict]) -> None:
        table = model.__table__
        for i in range(0, len(rows), BATCH):
            conn.execute(table.insert(), rows[i:i + BATCH])
        self.rows += len(rows)

    def progress(self, what: str) -> None:
        self.echo(f"  {time.perf_counter() - self.start:7.1f} s  {what} ({self.rows:,} rows so far)")

    def when(self, start: datetime, end: datetime) -> datetime:
        span = (end - start).total_seconds()
        return start + timedelta(seconds=int(self.rng.random() * max(span, 1)))

    def audit(self, at, actor, action, object_type, object_id, community, detail=None) -> dict:
        return {"id": self.next_id("audit"), "at": at, "actor_id": actor, "action": action,
                "object_type": object_type, "object_id": object_id, "community_id": community,
                "detail": detail or {}, "ip": ""}

    def notification(self, user, kind, link, at, params, read=True) -> dict:
        return {"id": self.next_id("notification"), "user_id": user, "kind": kind, "params": params, "link": link,
                "created_at": at, "read_at": at + timedelta(hours=6) if read else None}

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> dict:
        self.echo(f"Generating scale {self.scale}: " + ", ".join(f"{k} {v:,}" for k, v in self.n.items()))
        with self.engine.begin() as conn:
            self.places_and_people(conn)
        self.progress("places, staff and residents")
        topics = self.plan_topics()
        meetings = self.plan_meetings(topics)
        with self.engine.begin() as conn:
            self.write_topics(conn, topics)
        self.progress("topics, timelines, supports, follows, reports, ratings")
        with self.engine.begin() as conn:
            self.write_meetings(conn, meetings)
        self.progress("bodies, meetings, attendance, motions, votes")
        self.write_comments(topics)
        self.progress("comments")
        with self.engine.begin() as conn:
            self.write_timebank(conn)
        self.progress("activities, sign-ups, service records, ledger")
        with self.engine.begin() as conn:
            self.finish(conn)
        self.progress("sequences and statistics")
        return {"rows": self.rows, "seconds": time.perf_counter() - self.start, "heavy": self.heavy_logins,
                "busiest_topic": self.busiest_topic}

    # -- places, staff, residents ----------------------------------------------------------------

    def places_and_people(self, conn) -> None:
        from app.accounts import passwords

        rng, n = self.rng, self.n
        password_hash = passwords.hash_password(BENCH_PASSWORD)
        t0 = self.now - timedelta(days=4 * 365)
        n_sub = max(1, math.ceil(n["communities"] / 5))
        subdistricts = [{"id": i + 1, "name": SUBDISTRICTS[i % len(SUBDISTRICTS)] + ("" if i < len(SUBDISTRICTS) else str(i)),
                         "city": "江苏省太仓市", "created_at": t0} for i in range(n_sub)]
        self.insert(conn, Subdistrict, subdistricts)
        self.communities = []
        rows, grids, settings, tb_settings, categories = [], [], [], [], []
        self.categories: dict[int, list[int]] = {}
        for i in range(n["communities"]):
            cid = i + 1
            name = COMMUNITY_NAMES[i % len(COMMUNITY_NAMES)] + ("" if i < len(COMMUNITY_NAMES) else str(i)) + "社区"
            rows.append({"id": cid, "subdistrict_id": i // 5 + 1, "name": name, "kind": "community",
                         "households": 2000 + rng.randrange(1500), "address": f"太仓市{name}服务中心",
                         "description": "城市规模测试数据。", "is_active": True, "created_at": t0})
            self.communities.append((cid, name, i // 5 + 1))
            for g in range(3):
                grids.append({"id": self.next_id("grid"), "community_id": cid, "name": f"第{g + 1}网格"})
            settings.append({"community_id": cid, "support_threshold": SUPPORT_THRESHOLD, "support_basis": "residents",
                             "reports_to_hide": REPORTS_TO_HIDE, "rating_window_days": 30,
                             "keywords": "\n".join(KEYWORDS)})
            tb_settings.append({"community_id": cid, "unit_minutes": UNIT, "max_balance": None})
            self.categories[cid] = []
            for position, cat in enumerate(CATEGORIES):
                cat_id = self.next_id("category")
                categories.append({"id": cat_id, "community_id": cid, "name": cat, "position": position,
                                   "is_active": True})
                self.categories[cid].append(cat_id)
        self.insert(conn, Community, rows)
        self.insert(conn, Grid, grids)
        self.insert(conn, ConsultationSettings, settings)
        self.insert(conn, TimebankSettings, tb_settings)
        self.insert(conn, Category, categories)
        self.insert(conn, Department, [{"id": i + 1, "subdistrict_id": 1, "name": d, "is_active": True}
                                       for i, d in enumerate(["民政科", "城管科", "卫健科"])])

        users, roles = [], []

        def user(login, name, *, community=None, status="none", household="", created=t0, decided_by=None):
            uid = self.next_id("user")
            phone = login if login.isdigit() else None
            users.append({"id": uid, "username": None if phone else login, "phone": phone, "display_name": name,
                          "password_hash": password_hash, "community_id": community, "grid_id": None,
                          "household": household, "residence_status": status,
                          "residence_note": "地址与户籍信息不符" if status == "rejected" else "",
                          "residence_decided_at": created + timedelta(days=1) if status in ("verified", "rejected") else None,
                          "residence_decided_by_id": decided_by if status in ("verified", "rejected") else None,
                          "is_active": True, "session_version": 1, "locale": None, "text_size": "standard",
                          "created_at": created, "last_login_at": None})
            return uid

        def role(uid, kind, community=None, subdistrict=None, department=None):
            roles.append({"id": self.next_id("role"), "user_id": uid, "role": kind, "community_id": community,
                          "subdistrict_id": subdistrict, "department_id": department, "created_at": t0,
                          "created_by_id": None})

        self.admin = user("bench-admin", "系统管理员")
        role(self.admin, "admin")
        for s in subdistricts:
            role(user(f"jd{s['id']:02d}", f"街道{s['id']}科长"), "subdistrict_staff", subdistrict=s["id"])
        role(user("mz01", "民政干事"), "department_staff", department=1)
        self.staff: dict[int, tuple[int, int, int]] = {}
        for cid, name, _sub in self.communities:
            a, b = user(f"sw{cid:02d}a", f"{name}社工甲"), user(f"sw{cid:02d}b", f"{name}社工乙")
            role(a, "social_worker", community=cid)
            role(b, "social_worker", community=cid)
            cm = user(f"cm{cid:02d}", f"{name}委员", community=cid, status="verified", household="居委会",
                      decided_by=a)
            role(cm, "committee_member", community=cid)
            self.staff[cid] = (a, b, cm)
        # residents, spread over the communities (bigger and smaller ones)
        weights = [1 + rng.random() for _ in self.communities]
        total = sum(weights)
        counts = [max(10, int(n["residents"] * w / total)) for w in weights]
        counts[0] += n["residents"] - sum(counts)
        self.residents: dict[int, list[int]] = {}  # verified residents by community
        self.all_residents: dict[int, list[int]] = {}
        self.households: dict[int, str] = {}
        self.names: dict[int, str] = {}
        phone = 0
        for (cid, _name, _sub), count in zip(self.communities, counts, strict=True):
            self.residents[cid], self.all_residents[cid] = [], []
            for k in range(count):
                phone += 1
                status = "verified" if k < 2 or rng.random() < 0.92 else rng.choice(["pending", "pending", "rejected"])
                household = f"{rng.randrange(1, 40)}幢{rng.randrange(1, 4)}单元{rng.randrange(1, 19)}0{rng.randrange(1, 5)}"
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
                created = self.when(t0, self.now - timedelta(days=2))
                uid = user(f"139{phone:08d}", name, community=cid, status=status, household=household,
                           created=created, decided_by=self.staff[cid][0])
                self.all_residents[cid].append(uid)
                self.names[uid], self.households[uid] = name, household
                if status == "verified":
                    self.residents[cid].append(uid)
        # the heavy users: the first verified resident of each of the first communities
        self.heavy = [self.residents[cid][0] for cid, _n, _s in self.communities[:HEAVY_USERS]]
        by_id = {u["id"]: u for u in users}
        self.heavy_logins = [by_id[h]["phone"] for h in self.heavy]
        self.user_created = {u["id"]: u["created_at"] for u in users}
        self.insert(conn, User, users)
        self.insert(conn, RoleAssignment, roles)

    # -- topics --------------------------------------------------------------------------------

    def plan_topics(self) -> list[TopicPlan]:
        rng, n = self.rng, self.n
        states = [s for s, _ in STATE_SHARES]
        shares = [w for _, w in STATE_SHARES]
        sizes_ = [len(self.all_residents[c]) for c, _n, _s in self.communities]
        communities = [c for c, _n, _s in self.communities]
        plans = []
        gaps = {"pending_review": (0.1, 2), "published": (1, 48), "rejected_by_moderator": (1, 48),
                "withdrawn": (24, 24 * 60), "deliberating": (24, 24 * 30), "decided": (24 * 7, 24 * 60),
                "in_progress": (0, 0), "completed": (24 * 14, 24 * 120)}
        earliest = self.now - timedelta(days=3 * 365)
        for _ in range(n["topics"]):
            cid = rng.choices(communities, weights=sizes_)[0]
            state = rng.choices(states, weights=shares)[0]
            author = rng.choice(self.all_residents[cid] if state in ("draft", "pending_review") else self.residents[cid])
            created = self.when(max(earliest, self.user_created[author]), self.now - timedelta(hours=2))
            times = {"created": created}
            t = created
            for step in PATHS[state]:
                lo, hi = gaps[step]
                t = t + timedelta(hours=lo + rng.random() * (hi - lo))
                times[step] = t
            overflow = t - (self.now - timedelta(hours=1))
            if overflow > timedelta(0):  # keep the whole story in the past
                times = {k: v - overflow for k, v in times.items()}
            subject = rng.choice(TOPIC_SUBJECTS)
            place = rng.choice(PLACES)
            body = "".join(rng.sample(SENTENCES, 3)) + f"地点：{place}。"
            if state == "pending_review" and rng.random() < 0.1:
                body += f"另外，有人在楼道张贴{KEYWORDS[0]}广告。"  # held by the keyword filter
            plans.append(TopicPlan(community=cid, author=author, state=state, times=times, title=f"{place}{subject}",
                                   body=body, location=place,
                                   category=self.categories[cid][CATEGORIES.index("其他") if rng.random() < 0.1
                                                                 else rng.randrange(len(CATEGORIES))]))
        plans.sort(key=lambda p: p.times["created"])
        for i, p in enumerate(plans, start=1):
            p.id = i
            if p.state in DECIDED:
                p.outcome = "rejected" if p.state == "decided" else "adopted"
            if p.state in PUBLIC and p.state != "published":
                p.threshold_crossed = rng.random() < 0.6
        return plans

    def plan_meetings(self, topics: list[TopicPlan]) -> list[dict]:
        """Bodies with members, and meetings: most held (attendance, one motion per agenda item,
        roll-call votes, published minutes carrying the decision to a topic), the rest scheduled
        with a topic under deliberation on the agenda."""
        from app.meetings.rules import Figures, Threshold, VotingRules, evaluate

        rng = self.rng
        self.bodies, self.members = [], []
        members_of: dict[int, list[dict]] = {}
        for cid, name, _sub in self.communities:
            for kind, label, size in (("residents_representatives", "居民代表会议", 25), ("council", "居民议事会", 11)):
                bid = self.next_id("body")
                self.bodies.append({"id": bid, "community_id": cid, "name": f"{name}{label}", "kind": kind,
                                    "eligible_basis": "members", "eligible_count": None, "quorum_num": 2,
                                    "quorum_den": 3, "quorum_inclusive": True, "decision_num": 1,
                                    "decision_den": 2, "decision_inclusive": False,
                                    "created_at": self.now - timedelta(days=4 * 365)})
                people = [self.staff[cid][2]] + rng.sample(self.residents[cid][1:], min(size - 1, len(self.residents[cid]) - 1))
                members_of[bid] = []
                for uid in people:
                    m = {"id": self.next_id("member"), "body_id": bid, "user_id": uid,
                         "name": self.names.get(uid, "委员"), "household": "", "is_adult": True, "area": None,
                         "is_active": True}
                    self.members.append(m)
                    members_of[bid].append(m)
        bodies_of = {}
        for b in self.bodies:
            bodies_of.setdefault(b["community_id"], []).append(b)

        def rules(body):
            # as meetings.bodies.rules_of reads a body
            return VotingRules.for_body(_rule_set(body["kind"]),
                                  quorum=Threshold(Fraction(body["quorum_num"], body["quorum_den"]),
                                                   body["quorum_inclusive"]),
                                  decision=Threshold(Fraction(body["decision_num"], body["decision_den"]),
                                                     body["decision_inclusive"]))

        total = self.n["meetings"]
        held = round(total * 0.85)
        decided = [t for t in topics if t.state in DECIDED]
        rng.shuffle(decided)
        deliberating = [t for t in topics if t.state == "deliberating"]
        rng.shuffle(deliberating)
        meetings = []
        for k in range(total):
            is_held = k < held
            topic = None
            if is_held and decided:
                topic = decided.pop()
                cid = topic.community
                starts = topic.times["decided"] - timedelta(days=1, hours=rng.randrange(1, 6))
                starts = max(starts, topic.times["deliberating"] + timedelta(hours=2))
            elif not is_held and deliberating:
                topic = deliberating.pop()
                cid = topic.community
                starts = self.now + timedelta(days=rng.randrange(1, 40), hours=1)
            else:
                cid = rng.choice(self.communities)[0]
                starts = (self.when(self.now - timedelta(days=3 * 365), self.now - timedelta(days=2)) if is_held
                          else self.now + timedelta(days=rng.randrange(1, 40), hours=1))
            body = rng.choice(bodies_of[cid])
            sw = self.staff[cid][0]
            title = f"{starts.year}年{starts.month}月{body['name']}"
            meeting = {"id": self.next_id("meeting"), "body_id": body["id"], "title": title[:80], "starts_at": starts,
                       "place": rng.choice(MEETING_PLACES), "state": "closed" if is_held else "scheduled",
                       "checkin_code": f"{rng.randrange(10**6):06d}", "minutes": "", "minutes_published_at": None,
                       "created_by_id": sw, "created_at": min(starts, self.now) - timedelta(days=7)}
            items = []
            if topic is not None:
                items.append({"id": self.next_id("item"), "meeting_id": meeting["id"], "position": 0,
                              "topic_id": topic.id, "title": topic.title[:80]})
                topic.agenda = (meeting["created_at"], title)
            items.append({"id": self.next_id("item"), "meeting_id": meeting["id"], "position": len(items),
                          "topic_id": None, "title": "其他事项"})
            plan = {"meeting": meeting, "items": items, "attendance": [], "motions": [], "votes": [],
                    "members": members_of[body["id"]], "community": cid, "sw": sw, "topic": topic,
                    "body_name": body["name"]}
            if is_held:
                present = []
                for m in members_of[body["id"]]:
                    status = rng.choices(["present", "leave", "absent"], weights=[85, 10, 5])[0]
                    plan["attendance"].append({"id": self.next_id("attendance"), "meeting_id": meeting["id"],
                                               "member_id": m["id"], "status": status,
                                               "recorded_at": starts + timedelta(minutes=rng.randrange(-20, 10)),
                                               "recorded_by_id": sw, "self_checkin": rng.random() < 0.5})
                    if status == "present":
                        present.append(m)
                closed_at = starts + timedelta(minutes=90)
                for item in items:
                    wants = item["topic_id"] is None or topic.outcome == "adopted"
                    motion_id = self.next_id("motion")
                    counts = {"yes": 0, "no": 0, "abstain": 0}
                    for m in present:
                        r = rng.random()
                        choice = ("yes" if r < 0.8 else "no" if r < 0.93 else "abstain") if wants else \
                                 ("yes" if r < 0.2 else "no" if r < 0.85 else "abstain")
                        counts[choice] += 1
                        plan["votes"].append({"id": self.next_id("vote"), "motion_id": motion_id,
                                              "member_id": m["id"], "choice": choice,
                                              "cast_at": starts + timedelta(minutes=40 + rng.randrange(30)),
                                              "recorded_by_id": None})
                    figures = Figures(eligible=len(members_of[body["id"]]), present=len(present), **counts)
                    outcome = evaluate(rules(body), figures)
                    plan["motions"].append({
                        "id": motion_id, "meeting_id": meeting["id"], "agenda_item_id": item["id"],
                        "title": ("表决：" + item["title"])[:120], "mode": "roll_call", "is_secret": False,
                        "is_major": False, "state": "closed", "opened_at": starts + timedelta(minutes=30),
                        "closed_at": closed_at, "closed_by_id": sw, "quorate": outcome.quorate,
                        "carried": outcome.carried, "rule_applied": outcome.rule, "result_text": outcome.text,
                        "figures": outcome.numbers, "corrects_id": None, "correction_reason": ""})
                    if item["topic_id"] is not None:
                        # the decision the minutes carry to the topic is what the vote gave
                        topic.outcome = "adopted" if outcome.carried else "rejected"
                        if not outcome.carried:
                            topic.state = "decided"
                            for later in ("in_progress", "completed"):
                                topic.times.pop(later, None)
                        elif topic.state == "decided":
                            topic.state = "in_progress"
                            topic.times["in_progress"] = topic.times["decided"]
                        topic.decision_note = f"{body['name']}《{title}》：{outcome.text}"
                        topic.decided_by = sw
                        published = starts + timedelta(hours=20)
                        shift = published - topic.times["decided"]
                        for step in ("decided", "in_progress", "completed"):
                            if step in topic.times:
                                topic.times[step] = min(topic.times[step] + shift, self.now - timedelta(minutes=5))
                meeting["minutes"] = f"会议由{body['name']}召集，应到{len(members_of[body['id']])}人，实到{len(present)}人。" \
                                     "会议审议了议程所列事项，表决结果见各表决记录。"
                meeting["minutes_published_at"] = starts + timedelta(hours=20)
            meetings.append(plan)
        return meetings

    def topic_rows(self, p: TopicPlan, out: dict) -> None:
        """The topic, its timeline and audit entries, as the services write them."""
        rng = self.rng
        sw_a, _sw_b, _cm = self.staff[p.community]
        t = p.times
        events, audit = out["events"], out["audit"]
        last = t["created"]
        audit.append(self.audit(t["created"], p.author, "consultation.create_topic", "topic", p.id, p.community,
                                {"on_behalf_of": None}))

        def event(at, actor, kind, frm=None, to=None, note="", public=True):
            nonlocal last
            events.append({"id": self.next_id("event"), "topic_id": p.id, "at": at, "actor_id": actor,
                           "proxy_id": None, "kind": kind, "from_state": frm, "to_state": to, "note": note,
                           "is_public": public})
            last = max(last, at)

        previous = "draft"
        moderator_note, held = "", False
        for step in PATHS[p.state]:
            at = t.get(step)
            if at is None:
                break
            actor, note = sw_a, ""
            if step == "pending_review":
                actor = p.author
                held = KEYWORDS[0] in p.body
                note = str(_l("Held by the keyword filter")) if held else ""
            elif step == "rejected_by_moderator":
                note = moderator_note = "内容与社区公共事务无关，请修改后重新提交。"
            elif step == "withdrawn":
                actor, note = p.author, "问题已自行解决。"
            elif step == "deliberating":
                if p.threshold_crossed:
                    actor, note = None, str(_l("Supports reached the threshold of %(n)d.", n=SUPPORT_THRESHOLD))
                else:
                    note = "社区两委研究，提交居民议事会协商"
                if p.agenda is not None:  # put on a meeting's agenda while in deliberation
                    event(at, actor, "transition", previous, step, note, True)
                    audit.append(self.audit(at, actor, "consultation.transition", "topic", p.id, p.community,
                                            {"from": previous, "to": step, "note": note, "proxy": None}))
                    previous = step
                    agenda_at = max(min(p.agenda[0], self.now - timedelta(minutes=10)), at + timedelta(minutes=5))
                    event(agenda_at, sw_a, "agenda", note=p.agenda[1])
                    audit.append(self.audit(agenda_at, sw_a, "consultation.agenda", "topic", p.id, p.community,
                                            {"note": p.agenda[1]}))
                    continue
            elif step == "decided":
                actor = p.decided_by or sw_a
                note = p.decision_note or f"居民代表会议（线下召开）：{'通过' if p.outcome == 'adopted' else '未通过'}"
            elif step == "in_progress":
                actor = p.decided_by or sw_a
                note = str(_l("Adopted: the committee carries it out."))
            elif step == "completed":
                note = "已按决议完成，欢迎评价。"
            public = step in PUBLIC or previous in PUBLIC
            event(at, actor, "transition", previous, step, note, public)
            audit.append(self.audit(at, actor, "consultation.transition", "topic", p.id, p.community,
                                    {"from": previous, "to": step, "note": note, "proxy": None}))
            if step == "in_progress":  # progress updates before it is completed (or until now)
                end = t.get("completed", self.now - timedelta(minutes=30))
                for k in range(rng.randrange(3)):
                    pat = self.when(at, end)
                    event(pat, sw_a, "progress", note=f"办理进度{k + 1}：施工方案已确定，正在推进。")
                    audit.append(self.audit(pat, sw_a, "consultation.progress", "topic", p.id, p.community))
            previous = step
        completed_at = t.get("completed") if p.state == "completed" else None
        out["topics"].append({
            "id": p.id, "community_id": p.community, "author_id": p.author, "proxy_id": None,
            "category_id": p.category, "title": p.title, "body": p.body, "location": p.location, "state": p.state,
            "outcome": p.outcome if p.state in DECIDED else None, "moderator_note": moderator_note,
            "held_by_keywords": held and p.state == "pending_review", "merged_into_id": None,
            "support_count": len(p.supporters), "comment_count": 0, "report_count": p.reports,
            "hidden_at": None, "on_agenda_at": p.agenda[0] if p.agenda and p.state == "deliberating" else None,
            "agenda_note": p.agenda[1] if p.agenda and p.state == "deliberating" else "",
            "created_at": t["created"], "published_at": t.get("published"), "last_activity_at": last,
            "completed_at": completed_at,
            "rating_closes_at": completed_at + timedelta(days=30) if completed_at else None})

    def write_topics(self, conn, topics: list[TopicPlan]) -> None:
        rng = self.rng
        out = {"topics": [], "events": [], "audit": [], "supports": [], "follows": [], "reports": [],
               "ratings": [], "notifications": []}
        for p in topics:
            members = self.residents[p.community]
            if p.state in PUBLIC:
                if p.state == "published":
                    k = min(int(rng.expovariate(0.35)), SUPPORT_THRESHOLD - 1)
                elif p.threshold_crossed:
                    k = SUPPORT_THRESHOLD + int(rng.paretovariate(1.3) * 3) - 3
                else:
                    k = int(rng.expovariate(0.2))
                k = min(k, len(members))
                p.supporters = rng.sample(members, k)
                end = p.times.get("deliberating") if p.threshold_crossed else None
                end = end or p.times.get("withdrawn") or self.now - timedelta(minutes=1)
                for uid in p.supporters:
                    at = self.when(p.times["published"], end)
                    out["supports"].append({"id": self.next_id("support"), "topic_id": p.id, "user_id": uid,
                                            "proxy_id": None, "created_at": at})
                    out["audit"].append(self.audit(at, uid, "consultation.support", "topic", p.id, p.community,
                                                   {"on_behalf_of": None}))
                if p.state == "published" and rng.random() < 0.01:  # open reports awaiting a moderator
                    reporters = rng.sample(members, min(rng.randrange(1, REPORTS_TO_HIDE), len(members)))
                    for uid in reporters:
                        at = self.when(p.times["published"], self.now)
                        out["reports"].append({"id": self.next_id("report"), "community_id": p.community,
                                               "reporter_id": uid, "target_type": "topic", "target_id": p.id,
                                               "reason": "off_topic", "note": "", "created_at": at,
                                               "resolved_at": None})
                        out["audit"].append(self.audit(at, uid, "consultation.report", "topic", p.id, p.community,
                                                       {"reason": "off_topic"}))
                    p.reports = len(reporters)
            self.topic_rows(p, out)
            out["follows"].append({"topic_id": p.id, "user_id": p.author, "created_at": p.times["created"]})
            if p.state == "completed":
                closes = p.times["completed"] + timedelta(days=30)
                for uid in rng.sample(members, min(rng.randrange(9), len(members))):
                    at = self.when(p.times["completed"], min(closes, self.now))
                    out["ratings"].append({"id": self.next_id("rating"), "topic_id": p.id, "user_id": uid,
                                           "score": rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 3, 6, 8])[0],
                                           "comment": "", "created_at": at, "updated_at": at})
            if p.state in ("published", "rejected_by_moderator"):
                decision = _l("published") if p.state == "published" else _l("not published")
                out["notifications"].append(self.notification(
                    p.author, "consultation.moderated", f"/topics/{p.id}", p.times[p.state],
                    {"title": p.title, "decision": str(decision),
                     "reason": "" if p.state == "published" else "内容与社区公共事务无关，请修改后重新提交。"}))
        for model, key in ((Topic, "topics"), (TopicEvent, "events"), (Support, "supports"), (Follow, "follows"),
                           (Report, "reports"), (Rating, "ratings"), (AuditEntry, "audit"),
                           (Notification, "notifications")):
            self.insert(conn, model, out[key])
        self.topics = topics

    # -- meetings ------------------------------------------------------------------------------

    def write_meetings(self, conn, meetings: list[dict]) -> None:
        rows = {k: [] for k in ("meetings", "items", "attendance", "motions", "votes", "audit", "notifications")}
        for plan in meetings:
            m = plan["meeting"]
            rows["meetings"].append(m)
            rows["items"] += plan["items"]
            rows["attendance"] += plan["attendance"]
            rows["motions"] += plan["motions"]
            rows["votes"] += plan["votes"]
            rows["audit"].append(self.audit(m["created_at"], plan["sw"], "meetings.schedule", "meeting", m["id"],
                                            plan["community"], {"title": m["title"]}))
            for member in plan["members"]:
                rows["notifications"].append(self.notification(
                    member["user_id"], "meetings.scheduled", f"/meetings/{m['id']}", m["created_at"],
                    {"title": m["title"], "body": plan["body_name"], "when": m["starts_at"].strftime("%Y-%m-%d %H:%M"),
                     "place": m["place"]}, read=m["state"] == "closed"))
            for motion in plan["motions"]:
                rows["audit"].append(self.audit(motion["closed_at"], plan["sw"], "meetings.close_motion", "motion",
                                                motion["id"], plan["community"],
                                                {"carried": motion["carried"], "quorate": motion["quorate"],
                                                 "text": motion["result_text"]}))
            if m["minutes_published_at"]:
                rows["audit"].append(self.audit(m["minutes_published_at"], plan["sw"], "meetings.publish_minutes",
                                                "meeting", m["id"], plan["community"]))
        self.insert(conn, Body, self.bodies)
        self.insert(conn, BodyMember, self.members)
        for model, key in ((Meeting, "meetings"), (AgendaItem, "items"), (Attendance, "attendance"),
                           (Motion, "motions"), (Vote, "votes"), (AuditEntry, "audit"),
                           (Notification, "notifications")):
            self.insert(conn, model, rows[key])

    # -- comments ------------------------------------------------------------------------------

    def comment_counts(self, open_topics: list[TopicPlan]) -> list[int]:
        """Heavy-tailed: the busiest topics take fixed shares (HEAD), the rest a lognormal draw."""
        rng, total = self.rng, self.n["comments"]
        head = min(len(HEAD), max(1, len(open_topics) // 10))
        mean = math.ceil(total / max(len(open_topics), 1))
        # at small scales the head still stands out: the busiest topic has at least ten times the mean
        counts = [max(round(f * total), (10 - i) * mean) for i, f in enumerate(HEAD[:head])]
        rest = len(open_topics) - head
        remaining = max(total - sum(counts), 0)
        weights = [rng.lognormvariate(0, 1.2) for _ in range(rest)]
        scale = remaining / sum(weights) if weights else 0
        tail = [int(w * scale) for w in weights]
        for i in rng.choices(range(rest), weights=weights, k=remaining - sum(tail)) if rest else []:
            tail[i] += 1
        # the tail stays below the head
        cap = counts[-1] - 1
        spill = 0
        for i, c in enumerate(tail):
            if c > cap:
                spill += c - cap
                tail[i] = cap
        for i in rng.choices(range(rest), k=spill) if rest else []:
            tail[i] += 1
        return counts + tail

    def write_comments(self, topics: list[TopicPlan]) -> None:
        rng = self.rng
        open_topics = [t for t in topics if t.state in COMMENTABLE]
        rng.shuffle(open_topics)
        counts = self.comment_counts(open_topics)
        self.busiest_topic = open_topics[0].id if open_topics else None
        hidden_reason = str(_l("Hidden after reports, pending review"))
        buffer = {"comments": [], "reports": [], "audit": [], "notifications": [], "counts": []}

        def flush():
            with self.engine.begin() as conn:
                self.insert(conn, Comment, buffer["comments"])
                self.insert(conn, Report, buffer["reports"])
                self.insert(conn, AuditEntry, buffer["audit"])
                self.insert(conn, Notification, buffer["notifications"])
                if buffer["counts"]:
                    table = Topic.__table__
                    conn.execute(table.update().where(table.c.id == sa.bindparam("tid"))
                                 .values(comment_count=sa.bindparam("cc"), last_activity_at=sa.bindparam("la")),
                                 buffer["counts"])
            for v in buffer.values():
                v.clear()

        pairs = sorted(zip(open_topics, counts, strict=True), key=lambda pc: pc[0].id)  # ids follow topic order
        for topic, count in pairs:
            members = self.residents[topic.community]
            start = topic.times["published"]
            end = self.now - timedelta(minutes=1)
            stamps = sorted(self.when(start, end) for _ in range(count))
            top_level: list[tuple[int, int]] = []
            visible, last = 0, None
            for at in stamps:
                cid = self.next_id("comment")
                author = rng.choice(members)
                parent = None
                if top_level and rng.random() < 0.25:
                    parent = rng.choice(top_level)
                r = rng.random()
                held = r < 0.002
                body = "".join(rng.sample(SENTENCES, rng.randrange(1, 4)))
                if held:
                    body += f"需要{KEYWORDS[1]}请联系我。"
                deleted = None if held or rng.random() > 0.01 else at + timedelta(minutes=3)
                reports = 0
                if not held and not deleted and rng.random() < 0.004:
                    reports = rng.randrange(1, REPORTS_TO_HIDE + 1)
                hidden = at + timedelta(hours=5) if reports >= REPORTS_TO_HIDE else None
                buffer["comments"].append({
                    "id": cid, "topic_id": topic.id, "author_id": author, "parent_id": parent and parent[0],
                    "stance": rng.choices(["support", "oppose", "neutral"], weights=[5, 2, 3])[0],
                    "body": "" if deleted else body, "idempotency_key": f"bench-{cid}", "created_at": at,
                    "edited_at": None, "deleted_at": deleted, "held_by_keywords": held, "hidden_at": hidden,
                    "hidden_reason": hidden_reason if hidden else "", "hidden_by_id": None, "report_count": reports})
                buffer["audit"].append(self.audit(at, author, "consultation.comment", "comment", cid,
                                                  topic.community, {"topic": topic.id, "held": held}))
                if deleted:
                    buffer["audit"].append(self.audit(deleted, author, "consultation.delete_comment", "comment", cid,
                                                      topic.community))
                for uid in rng.sample(members, min(reports, len(members))):
                    rat = at + timedelta(hours=1)
                    buffer["reports"].append({"id": self.next_id("report"), "community_id": topic.community,
                                              "reporter_id": uid, "target_type": "comment", "target_id": cid,
                                              "reason": "abuse", "note": "", "created_at": rat, "resolved_at": None})
                    buffer["audit"].append(self.audit(rat, uid, "consultation.report", "comment", cid,
                                                      topic.community, {"reason": "abuse"}))
                if hidden:
                    buffer["audit"].append(self.audit(hidden, None, "consultation.auto_hide", "comment", cid,
                                                      topic.community, {"reports": REPORTS_TO_HIDE}))
                if parent and parent[1] != author and not held and not hidden:
                    buffer["notifications"].append(self.notification(
                        parent[1], "consultation.reply", f"/topics/{topic.id}#comment-{cid}", at,
                        {"name": self.names[author], "title": topic.title}, read=rng.random() < 0.8))
                if parent is None and not deleted:
                    top_level.append((cid, author))
                if not (deleted or held or hidden):
                    visible += 1
                last = at
            if count:
                buffer["counts"].append({"tid": topic.id, "cc": visible, "la": max(last, topic.times["created"])})
            if len(buffer["comments"]) >= 50_000:
                flush()
                self.progress(f"comments … topic {topic.id:,}")
        flush()

    # -- time bank -----------------------------------------------------------------------------

    def write_timebank(self, conn) -> None:
        rng, n = self.rng, self.n
        target_txns = n["postings"] // 2
        out = {k: [] for k in ("profiles", "activities", "signups", "records", "txns", "postings", "audit",
                               "notifications", "requests")}
        # volunteers: about a third of verified residents, the heavy users among them
        self.volunteers: dict[int, list[int]] = {}
        for cid, _name, _sub in self.communities:
            vols = [u for u in self.residents[cid] if u in self.heavy or rng.random() < 0.33]
            self.volunteers[cid] = vols
            for uid in vols:
                out["profiles"].append({"user_id": uid, "skills": rng.choice(["陪聊、手工", "水电维修", "驾驶", "做饭", "教学"]),
                                        "availability": "周末", "consent_at": self.user_created[uid] + timedelta(days=2)})
        # activities; the held ones credit their attendees (service events for the ledger)
        services = []  # (time, community, volunteer, minutes, activity id, title, organiser, verifier)
        communities = [c for c, _n, _s in self.communities]
        weights = [len(self.residents[c]) for c in communities]
        max_services = target_txns * 2 // 5  # service credits leave room for transfers
        for _ in range(n["activities"]):
            cid = rng.choices(communities, weights=weights)[0]
            sw_a, sw_b, _cm = self.staff[cid]
            category, title = rng.choice(ACTIVITY_TITLES)
            r = rng.random()
            future = r < 0.07
            starts = (self.now + timedelta(days=rng.randrange(1, 45), hours=rng.randrange(1, 10)) if future else
                      self.when(self.now - timedelta(days=3 * 365), self.now - timedelta(days=1)))
            minutes = rng.choice([60, 90, 120, 120, 180, 240])
            state = "published" if future else "cancelled" if r < 0.10 else "confirmed"
            places = rng.randrange(2, 7)
            aid = self.next_id("activity")
            created = starts - timedelta(days=rng.randrange(3, 20))
            out["activities"].append({
                "id": aid, "community_id": cid, "organiser_id": sw_a, "title": title, "description": "请准时到达，穿着志愿者马甲。",
                "category": category, "place": rng.choice(PLACES), "starts_at": starts,
                "ends_at": starts + timedelta(minutes=minutes), "signup_deadline": starts - timedelta(hours=12),
                "places": places, "minutes": minutes, "topic_id": None, "state": state, "created_at": created})
            out["audit"].append(self.audit(created, sw_a, "timebank.publish_activity", "activity", aid, cid,
                                           {"title": title}))
            pool = self.volunteers[cid]
            wanted = min(len(pool), places + rng.randrange(0, 4))
            if state == "confirmed" and len(services) + wanted > max_services:
                wanted = max(0, max_services - len(services))
            chosen = rng.sample(pool, wanted)
            credited = 0
            for i, uid in enumerate(chosen):
                status = "confirmed" if i < places else "waitlisted"
                if rng.random() < 0.05:
                    status = "cancelled"
                attended = state == "confirmed" and status == "confirmed" and rng.random() < 0.9
                signed = self.when(created, starts - timedelta(hours=13))
                checked_in = starts + timedelta(minutes=rng.randrange(-15, 10)) if attended and rng.random() < 0.6 else None
                out["signups"].append({"id": self.next_id("signup"), "activity_id": aid, "volunteer_id": uid,
                                       "status": status, "created_at": signed, "checked_in_at": checked_in,
                                       "checked_out_at": checked_in and checked_in + timedelta(minutes=minutes),
                                       "attended": attended})
                out["audit"].append(self.audit(signed, uid, "timebank.sign_up", "activity", aid, cid,
                                               {"status": "confirmed" if i < places else "waitlisted"}))
                if attended:
                    credited += 1
                    services.append((starts + timedelta(minutes=minutes + 60), cid, uid, minutes, aid, title, sw_a, sw_b))
            if state == "confirmed":
                out["audit"].append(self.audit(starts + timedelta(minutes=minutes + 61), sw_a,
                                               "timebank.confirm_activity", "activity", aid, cid,
                                               {"credited": credited}))
            elif state == "cancelled":
                out["audit"].append(self.audit(starts - timedelta(hours=2), sw_a, "timebank.cancel_activity",
                                               "activity", aid, cid, {"reason": "天气原因取消"}))
        services.sort(key=lambda s: s[0])
        self.ledger(services, target_txns - len(services), out)
        for model, key in ((VolunteerProfile, "profiles"), (Activity, "activities"), (Signup, "signups"),
                           (Account, "accounts"), (Txn, "txns"), (Posting, "postings"), (ServiceRecord, "records"),
                           (LedgerRequest, "requests"), (AuditEntry, "audit"), (Notification, "notifications")):
            self.insert(conn, model, out[key])

    def ledger(self, services: list, others: int, out: dict) -> None:
        """Every movement in time order, each posted only when the balances allow it, as `post` would."""
        rng = self.rng
        accounts: dict[tuple, dict] = {}  # (community, kind, user) → row
        out["accounts"] = []

        def account(cid, kind, uid, at):
            key = (cid, kind, uid)
            row = accounts.get(key)
            if row is None:
                row = {"id": self.next_id("account"), "community_id": cid, "kind": kind, "user_id": uid,
                       "balance": 0, "floor": 0, "created_at": at}
                accounts[key] = row
                out["accounts"].append(row)
            return row

        rich: dict[int, list[int]] = {c: [] for c, _n, _s in self.communities}  # residents who may hold ≥ a unit
        in_rich: set[int] = set()
        balances: dict[int, int] = {}
        received: list[tuple[int, int, int, int, int]] = []  # transfers that could be reversed

        def post(kind, cid, legs, at, initiated, key, *, confirmed=None, memo="", reference=("", None),
                 reverses=None):
            tid = self.next_id("txn")
            out["txns"].append({"id": tid, "community_id": cid, "kind": kind, "reference_type": reference[0],
                                "reference_id": reference[1], "reverses_id": reverses, "initiated_by_id": initiated,
                                "confirmed_by_id": confirmed, "idempotency_key": key, "memo": memo[:200],
                                "created_at": at})
            for acc, amount in legs:
                acc["balance"] += amount
                out["postings"].append({"id": self.next_id("posting"), "txn_id": tid, "account_id": acc["id"],
                                        "amount": amount, "balance_after": acc["balance"]})
                if acc["kind"] == "resident":
                    uid = acc["user_id"]
                    balances[uid] = acc["balance"]
                    if acc["balance"] >= UNIT and uid not in in_rich:
                        in_rich.add(uid)
                        rich[cid].append(uid)
            out["audit"].append(self.audit(at, initiated, f"timebank.{kind}", "txn", tid, cid,
                                           {"legs": [[a["id"], m] for a, m in legs], "confirmed_by": confirmed}))
            return tid

        def sender(cid, forced=None):
            if forced is not None:
                return forced if balances.get(forced, 0) >= UNIT else None
            pool = rich[cid]
            for _ in range(6):
                if not pool:
                    return None
                i = rng.randrange(len(pool))
                uid = pool[i]
                if balances.get(uid, 0) >= UNIT:
                    return uid
                pool[i] = pool[-1]
                pool.pop()
                in_rich.discard(uid)
            return None

        times = sorted(self.when(self.now - timedelta(days=3 * 365), self.now - timedelta(minutes=5))
                       for _ in range(max(others, 0)))
        communities = [c for c, _n, _s in self.communities]
        weights = [len(self.residents[c]) for c in communities]
        heavy_community = {self.residents[c][0]: c for c in communities if self.residents[c][0] in self.heavy}
        # each heavy user is in 1 % of the other movements (thousands at scale 1), more in a small town
        heavy_share = max(0.01, min(0.2, 20 / self.n["residents"]))
        si = 0
        reversals_left = max(1, others // 500)
        for at in times + [None]:
            while si < len(services) and (at is None or services[si][0] <= at):
                s_at, cid, uid, minutes, aid, title, sw_a, sw_b = services[si]
                si += 1
                issuance = account(cid, "issuance", None, s_at)
                acc = account(cid, "resident", uid, s_at)
                tid = post("service", cid, [(issuance, -minutes), (acc, minutes)], s_at, sw_a,
                           f"activity-{aid}-volunteer-{uid}", confirmed=sw_b, memo=title,
                           reference=("activity", aid))
                out["records"].append({"id": self.next_id("record"), "community_id": cid, "volunteer_id": uid,
                                       "minutes": minutes, "description": title, "served_on": (s_at - timedelta(minutes=minutes + 60)).date(),
                                       "reference_type": "activity", "reference_id": aid, "recorded_by_id": sw_a,
                                       "verified_by_id": sw_b, "txn_id": tid, "corrects_id": None, "created_at": s_at})
                out["notifications"].append(self.notification(uid, "timebank.credited", "/my/timebank", s_at,
                                                              {"minutes": minutes, "title": title}))
            if at is None:
                break
            r = rng.random()
            heavy = None
            if r < heavy_share * len(heavy_community):
                heavy = rng.choice(list(heavy_community))
                cid = heavy_community[heavy]
            else:
                cid = rng.choices(communities, weights=weights)[0]
            sw_a, sw_b, _cm = self.staff[cid]
            kind = "donation" if rng.random() < 0.1 else "transfer"
            src = sender(cid, heavy if heavy is not None and rng.random() < 0.5 else None)
            if heavy is not None and src is None:
                src = sender(cid)
            if src is not None and reversals_left and received and rng.random() < 0.003:
                # a social worker asks to reverse an earlier transfer; a second confirms
                orig, a_from, a_to, amount, ocid = received.pop(rng.randrange(len(received)))
                to_acc = accounts[(ocid, "resident", a_to)]
                if to_acc["balance"] >= amount:
                    reversals_left -= 1
                    rid = self.next_id("request")
                    s_a, s_b, _ = self.staff[ocid]
                    from_acc = accounts[(ocid, "resident", a_from)]
                    tid = post("reversal", ocid, [(from_acc, amount), (to_acc, -amount)], at, s_a, f"request-{rid}",
                               confirmed=s_b, memo="误转，经双方确认退回", reference=("txn", orig), reverses=orig)
                    out["requests"].append(_ledger_request(
                        rid, ocid, "reversal", reason="误转，经双方确认退回", txn_id=orig,
                        asked=(s_a, at - timedelta(hours=3)), decided=(s_b, at, tid)))
                    continue
            if src is None or rng.random() < 0.04:
                # a grant to a priority resident: asked for by one social worker, confirmed by a second
                uid = heavy if heavy is not None else rng.choice(self.residents[cid])
                minutes = UNIT * rng.randrange(1, 5)
                rid = self.next_id("request")
                issuance = account(cid, "issuance", None, at)
                acc = account(cid, "resident", uid, at)
                tid = post("grant", cid, [(issuance, -minutes), (acc, minutes)], at, sw_a, f"request-{rid}",
                           confirmed=sw_b, memo="80岁以上独居老人补贴")
                out["requests"].append(_ledger_request(
                    rid, cid, "grant", reason="80岁以上独居老人补贴", user_id=uid, minutes=minutes,
                    asked=(sw_a, at - timedelta(hours=5)), decided=(sw_b, at, tid)))
                continue
            amount = UNIT * rng.randrange(1, min(balances[src] // UNIT, 6) + 1)
            src_acc = account(cid, "resident", src, at)
            if kind == "donation":
                pool = account(cid, "pool", None, at)
                post("donation", cid, [(src_acc, -amount), (pool, amount)], at, src, f"bench-{self.ids.get('txn', 0) + 1}")
                continue
            members = self.residents[cid]
            dst = heavy if heavy is not None and heavy != src else rng.choice(members)
            if dst == src:
                dst = members[(members.index(src) + 1) % len(members)]
            dst_acc = account(cid, "resident", dst, at)
            tid = post("transfer", cid, [(src_acc, -amount), (dst_acc, amount)], at, src,
                       f"bench-{self.ids.get('txn', 0) + 1}", memo=rng.choice(["", "赠与家人", "通存通兑", "谢谢帮忙"]))
            if len(received) < 1000:
                received.append((tid, src, dst, amount, cid))
        # a few requests still waiting for a second social worker
        for cid in communities:
            sw_a, _b, _cm = self.staff[cid]
            rid = self.next_id("request")
            out["requests"].append(_ledger_request(
                rid, cid, "grant", reason="困难家庭补贴", user_id=self.residents[cid][-1], minutes=UNIT * 2,
                asked=(sw_a, self.now - timedelta(hours=3))))
        # requests reference transactions; the rows are written after the transactions
        out["requests"].sort(key=lambda r: r["id"])

    # -- finishing -----------------------------------------------------------------------------

    def finish(self, conn) -> None:
        if conn.dialect.name != "postgresql":
            return
        # ids were chosen here: move each sequence past them, then give the planner its statistics
        for table in db.metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
                continue
            seq = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                               {"t": f'"{table.name}"', "c": pk[0].name}).scalar()
            if seq:
                conn.execute(sa.text(f'SELECT setval(:s, COALESCE((SELECT max("{pk[0].name}") FROM "{table.name}"), 0) + 1, false)'),
                             {"s": seq})
        # this database's tables only: a database-wide ANALYZE also locks other schemas' tables
        # (other test runs, other applications) and can deadlock with them
        conn.execute(sa.text("ANALYZE " + ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)))


def _ledger_request(rid: int, community_id: int, kind: str, *, reason: str, asked: tuple, user_id=None,
                    minutes=None, txn_id=None, decided: tuple = (None, None, None)) -> dict:
    """A ledger_request row: asked = (by, at); decided = (by, at, resulting txn), or open."""
    decided_by, decided_at, result = decided
    return {"id": rid, "community_id": community_id, "kind": kind, "user_id": user_id, "minutes": minutes,
            "txn_id": txn_id, "reason": reason, "requested_by_id": asked[0], "requested_at": asked[1],
            "decided_by_id": decided_by, "decided_at": decided_at,
            "confirmed": True if decided_by is not None else None, "result_txn_id": result}


def _rule_set(kind: str):
    from app.meetings.models import RULE_SET_OF, BodyKind

    return RULE_SET_OF[BodyKind[kind]]


def generate(scale: float, seed: int = 2026, echo=print) -> dict:
    if not is_empty():
        raise RuntimeError("The database is not empty; bench data goes only into a new, migrated database.")
    db.session.remove()
    return Generator(scale, seed, echo).run()
