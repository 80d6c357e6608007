"""Demo data: 太仓市娄东街道 with three communities and a village, its
departments, and one account per role (names and vocabulary from the Taicang
政社互动 plans in shared/seeds)."""
from __future__ import annotations

import sqlalchemy as sa

from app.accounts import services as accounts
from app.accounts.models import Role, User
from app.extensions import db
from app.places import services as places
from app.places.models import CommunityKind

DEMO_PASSWORD = "linli-demo-2026"

# (login, what it shows) — shown on the login page in demo mode only
DEMO_ACCOUNTS = [
    ("admin", "系统管理员 Administrator"),
    ("jiedao", "街道工作人员 Subdistrict staff · 娄东街道"),
    ("shegong", "社工 Social worker · 朝阳社区"),
    ("weiyuan", "居委会成员 Committee member · 朝阳社区"),
    ("minzheng", "部门工作人员 Department staff · 民政科"),
    ("13800000001", "居民（已认证）Verified resident · 朝阳社区"),
    ("13800000002", "居民（待认证）Unverified resident · 朝阳社区"),
]

COMMUNITIES = [
    ("朝阳社区", CommunityKind.community, 2150, "太仓市娄东街道朝阳路18号",
     "老旧小区较多，60岁以上老年人约占三成，正在推进加装电梯和助餐点建设。", ["第一网格", "第二网格", "第三网格"]),
    ("南园社区", CommunityKind.community, 1890, "太仓市娄东街道南园西路6号",
     "毗邻南园，居民文体活动活跃，志愿服务队伍十余支。", ["东片网格", "西片网格"]),
    ("东亭社区", CommunityKind.community, 2320, "太仓市娄东街道东亭北路101号",
     "新建商品房小区为主，业主委员会、物业服务企业与居委会联席议事。", ["一网格", "二网格"]),
    ("新毛村", CommunityKind.village, 860, "太仓市娄东街道新毛村村委会",
     "以种植业为主，正在推进农村人居环境整治和村规民约修订。", ["北组", "南组"]),
]

DEPARTMENTS = ["民政科", "城管科", "卫健科", "社会事业科", "综合治理办公室"]
CITY_DEPARTMENTS = ["太仓市民政局"]


def is_empty() -> bool:
    return db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def seed() -> dict[str, User]:
    """Create the demo world in the current transaction; returns users by login."""
    subdistrict = places.save_subdistrict(None, None, name="娄东街道", city="江苏省太仓市")
    communities = {}
    for name, kind, households, address, description, grids in COMMUNITIES:
        community = places.save_community(
            None, None, subdistrict=subdistrict, name=name, kind=kind, households=households,
            address=address, description=description)
        for grid in grids:
            places.save_grid(None, None, community=community, name=grid)
        communities[name] = community
    departments = {name: places.save_department(None, None, subdistrict=subdistrict, name=name)
                   for name in DEPARTMENTS}
    for name in CITY_DEPARTMENTS:
        places.save_department(None, None, subdistrict=None, name=name)

    chaoyang = communities["朝阳社区"]
    users: dict[str, User] = {}

    def person(login, name, role=None, scope_id=None, **kwargs):
        user = accounts.create_user(None, login=login, display_name=name, password=DEMO_PASSWORD, **kwargs)
        if role:
            accounts.assign_role(None, user, role, scope_id)
        users[login] = user
        return user

    person("admin", "系统管理员", Role.admin)
    person("jiedao", "王科长", Role.subdistrict_staff, subdistrict.id)
    person("shegong", "李社工", Role.social_worker, chaoyang.id)
    person("weiyuan", "陈委员", Role.committee_member, chaoyang.id, community=chaoyang, verified=True,
           household="5幢1单元302")
    person("minzheng", "赵干事", Role.department_staff, departments["民政科"].id)
    person("13800000001", "张阿姨", community=chaoyang, verified=True, household="3幢2单元501")
    person("13800000002", "刘大伯", community=chaoyang, verified=False, household="7幢1单元101")
    # more neighbours, so lists are not empty
    for i, (name, community, household, verified) in enumerate([
        ("孙奶奶", "朝阳社区", "2幢3单元202", True),
        ("周师傅", "朝阳社区", "9幢2单元601", True),
        ("吴老师", "南园社区", "11幢1单元403", True),
        ("郑大姐", "东亭社区", "15幢2单元1102", True),
        ("钱阿婆", "新毛村", "北组27号", True),
        ("冯小妹", "南园社区", "6幢2单元301", False),
    ], start=3):
        person(f"138000000{i:02d}", name, community=communities[community], verified=verified,
               household=household)
    person("shegong2", "黄社工", Role.social_worker, communities["南园社区"].id)
    _consultation(users, communities)
    _timebank(users)
    _lists(users["jiedao"], subdistrict)
    _exchange(users)
    _admission(users, subdistrict, communities, departments)
    _evaluation(users, subdistrict, communities, departments)
    return users


G2C_RUBRIC = [("依法履职", 30, "居委会组织法规定的职责落实情况"), ("协议履约", 30, "委托协议事项按时保质完成"),
              ("居务公开", 20, "居务公开及时、完整"), ("协商议事", 20, "议题协商、居民会议开展情况")]
C2G_RUBRIC = [("按清单办事", 40, "依两份清单提出事项，不擅自下派"), ("支持社区", 30, "资金、人员、业务指导到位"),
              ("协议付费", 30, "委托协议经费按时足额拨付")]


def _evaluation(users: dict[str, User], subdistrict, communities, departments) -> None:
    """双向评估: last year's round published (with the residents' survey of 朝阳社区), this year's open."""
    from datetime import date, timedelta

    from app import localtime
    from app.evaluation import services as evaluation
    from app.evaluation.models import Direction

    staff = users["jiedao"]
    for login, name, department in [("chengguan", "孙干事", "城管科"), ("weijian", "吴干事", "卫健科"),
                                    ("shiye", "郑干事", "社会事业科")]:
        user = accounts.create_user(None, login=login, display_name=name, password=DEMO_PASSWORD)
        accounts.assign_role(None, user, Role.department_staff, departments[department].id)
        users[login] = user
    chaoyang = communities["朝阳社区"]
    for i, (name, household) in enumerate([("高大爷", "1幢1单元101"), ("林阿姨", "4幢2单元302"),
                                           ("何师傅", "8幢1单元502")], start=11):
        users[f"138000000{i:02d}"] = accounts.create_user(
            None, login=f"138000000{i:02d}", display_name=name, password=DEMO_PASSWORD, community=chaoyang,
            verified=True, household=household)
    this_year = localtime.today().year

    def new_round(year, deadline):
        round_ = evaluation.create_round(
            staff, subdistrict, title=f"{year}年度政社互动双向评估", year=year, period_start=date(year, 1, 1),
            period_end=date(year, 12, 31), deadline=deadline, remind_days=5, survey_enabled=True, survey_weight=30)
        evaluation.set_rubric(staff, round_, Direction.gov_to_community, G2C_RUBRIC)
        evaluation.set_rubric(staff, round_, Direction.community_to_gov, C2G_RUBRIC)
        evaluation.set_questions(staff, round_, evaluation.DEFAULT_QUESTIONS)
        evaluation.assign_everyone(staff, round_, Direction.gov_to_community)
        evaluation.assign_everyone(staff, round_, Direction.community_to_gov)
        evaluation.open_round(staff, round_)
        return round_

    def score(round_, sheet, base):
        criteria = evaluation.criteria_of(round_, sheet.direction)
        entries = {c.id: (str(min(100, base + 3 * i - (sheet.evaluator_id % 5))), "" if base + 3 * i >= 60 + 5
                          else "台账资料不全，需整改") for i, c in enumerate(criteria)}
        evaluation.save_sheet(sheet.evaluator, sheet, entries, submit=True)

    bases = {"朝阳社区": 86, "南园社区": 90, "东亭社区": 78, "新毛村": 70, "民政科": 88, "城管科": 74,
             "卫健科": 82, "社会事业科": 80, "综合治理办公室": 76}
    last = new_round(this_year - 1, date(this_year - 1, 12, 20))
    for sheet in evaluation.sheets_of(last):
        score(last, sheet, bases[sheet.party.name] - 2)
    for n, login in enumerate(["13800000001", "13800000003", "13800000004", "weiyuan", "13800000011",
                               "13800000012"]):
        evaluation.answer_survey(users[login], last, users[login], {q.id: 5 - (n % 3 == 2) - (n == 5)
                                                                   for q in last.questions})
    evaluation.close_round(staff, last)
    evaluation.publish_round(staff, last)

    current = new_round(this_year, localtime.today() + timedelta(days=20))
    for sheet in evaluation.sheets_of(current):
        if sheet.evaluator is not users["minzheng"] and sheet.evaluator_id % 2 == 0:
            score(current, sheet, bases[sheet.party.name])
    for login in ["13800000003", "13800000004"]:
        evaluation.answer_survey(users[login], current, users[login], {q.id: 4 for q in current.questions})
    evaluation.answer_survey(users["shegong"], current, users["13800000013"], {q.id: 5 for q in current.questions})


def _lists(staff: User, subdistrict) -> None:
    """The subdistrict's two lists: version 1 a year ago, and version 2 in force
    for two months, which added and removed items, changed legal bases and
    materials, and cancelled three certificate matters (减负)."""
    from datetime import timedelta

    from app.lists import demo_items
    from app.lists import services as lists
    from app.localtime import today

    draft = lists.start_draft(staff, subdistrict, note="首次公布两份清单")
    for values in demo_items.version_1():
        lists.add_item(staff, draft, reason="首次公布", **values)
    v1 = lists.publish(staff, draft, effective_on=today())
    revision = lists.start_draft(staff, subdistrict)
    items = {i.title: i for i in lists.items_of(revision)}
    for operation, item, values, reason in demo_items.version_2_changes(items):
        if operation == "add":
            lists.add_item(staff, revision, reason=reason, **values)
        elif operation == "remove":
            lists.remove_item(staff, item, reason=reason)
        else:
            lists.change_item(staff, item, reason=reason, **values)
    v2 = lists.publish(staff, revision, effective_on=today(), note="动态调整：取消3类社区盖章证明事项，新增2项，合并1项")
    # The demo's history: a publication takes effect today or later, so the dates are moved back here only.
    for version, days_ago in ((v1, 400), (v2, 60)):
        version.effective_on = today() - timedelta(days=days_ago)
        version.published_at = version.published_at - timedelta(days=days_ago + 7)
        version.created_at = version.published_at - timedelta(days=3)
    db.session.flush()


def _admission(users: dict[str, User], subdistrict, communities, departments) -> None:
    """民政科's requests in every outcome, checked against the lists in force
    (the lists demo's, when it has run), and two agreements with 朝阳社区: one
    fulfilled and paid, one with an overdue item."""
    from datetime import timedelta

    from app.agreements import admission, services as agreements
    from app.agreements.models import Delivery
    from app.lists import services as lists
    from app.lists.models import ItemKind
    from app.localtime import today

    clerk, staff, worker = users["minzheng"], users["jiedao"], users["shegong"]
    department, chaoyang = departments["民政科"], communities["朝阳社区"]
    version = lists.version_in_force(subdistrict.id)
    day = today()

    def ask(title, description, workload, community=chaoyang, stamp=False):
        start = admission.earliest_start(community.subdistrict_id, day) + timedelta(days=7)
        return admission.submit(clerk, department, [community], title=title, description=description,
                                starts_on=start, ends_on=start + timedelta(days=60), workload=workload,
                                needs_stamp=stamp, claimed_item_id=None)[0]

    def best(req, kind):
        """The proposed item of that kind, else the first item of that kind on the lists."""
        for item, _score in admission.proposals_of(req):
            if item.kind is kind:
                return item
        items = lists.items_of(version, kind) if version is not None else []
        return items[0] if items else None

    ask("困难群众家庭经济状况入户核查", "配合低保年审，对辖区低保户逐户核查家庭收入和财产状况。", "入户约 40 户")
    late = ask("老年人高龄津贴资格认证", "组织80周岁以上老人完成高龄津贴年度资格认证。", "每年一次，约 120 人",
               community=communities["南园社区"])
    late.decide_by = day - timedelta(days=3)  # filed weeks ago and still undecided: shows as overdue
    late.submitted_at = late.submitted_at - timedelta(days=30)
    for title, description, workload, kind in [
        ("组织居民小区防火安全检查", "冬春火灾防控期间组织居民小区防火安全检查，确定消防安全管理人。", "每月 1 次",
         ItemKind.statutory),
        ("城乡居民养老保险参保登记", "协助办理城乡居民养老保险参保登记和待遇资格认证。", "每月约 10 件",
         ItemKind.assisted),
    ]:
        req = ask(title, description, workload, stamp=kind is ItemKind.statutory)
        admission.decide(staff, req, getattr(best(req, kind), "id", None) if version is not None else None)
    unlisted = ask("代收有线电视收视费", "在社区服务站设点代收有线电视收视费。", "每月 2 天")
    admission.decide(staff, unlisted, None)
    declined = ask("辖区商户营业执照年检催报", "逐户通知商户办理年报。", "约 200 户商户")
    admission.decide(staff, declined, None)
    admission.decline(worker, declined, "不属于社区依法履职和协助政府事项，且未签订委托协议，社区不承接。")
    entrusted = ask("困难老人冬季走访慰问", "冬季对困难老人入户走访，发放慰问物资并登记需求。", "入户 58 户")
    admission.decide(staff, entrusted, None)

    def agreement(title, request, start, items, milestones, note):
        """Signed by both sides; items (name, deliverables, due after days, yuan) and milestones (label, days, yuan)."""
        a = agreements.create(clerk, department, chaoyang, title=title, starts_on=start,
                              ends_on=start + timedelta(days=180), internal_note=note, request=request)
        for name, deliverables, days, amount in items:
            agreements.add_item(clerk, a, title=name, deliverables=deliverables, due_on=start + timedelta(days=days),
                                amount=amount)
        for label, days, amount in milestones:
            agreements.add_milestone(clerk, a, label=label, due_on=start + timedelta(days=days), amount=amount)
        agreements.sign(clerk, a)
        agreements.sign(worker, a)
        return a

    spring = day - timedelta(days=200)
    done = agreement("2026年春季困难群众走访委托协议", None, spring,
                     [("入户走访困难家庭", "走访记录表 58 份、需求清单", 60, "5800.00"), ("慰问物资发放", "签收单", 70, "2320.50")],
                     [("首期款", 30, "4000.00"), ("尾款", 90, "4120.50")], "经费列支科目：社会救助专项")
    for item in done.items:
        agreements.record_fulfilment(worker, done, item.id, Delivery.delivered, f"{item.deliverables}已交民政科。")
    for milestone in done.milestones:
        agreements.record_payment(clerk, done, milestone.id, str(milestone.amount), milestone.due_on)
    winter = day - timedelta(days=40)
    running = agreement("困难老人冬季走访慰问委托协议", entrusted, winter,
                        [("入户走访困难老人", "走访记录 58 户", 30, "4640.00"), ("需求汇总报告", "书面报告一份", 120, "800.00")],
                        [("首期款", 20, "2720.00"), ("尾款", 130, "2720.00")], "与街道社会事务办共同督办")
    agreements.record_fulfilment(worker, running, running.items[0].id, Delivery.partly, "已走访 41 户，其余老人外出。")
    agreements.record_payment(clerk, running, running.milestones[0].id, "2000.00", winter + timedelta(days=25))


def _timebank(users: dict[str, User]) -> None:
    """Verified service hours (and the time coins they earn) for a few neighbours."""
    from datetime import date, timedelta

    from app.timebank import ledger

    from app.volunteering import services as activities

    for login, skills in [("13800000001", "陪聊、手工"), ("13800000004", "水电维修、驾驶"), ("13800000003", "做饭")]:
        activities.register_volunteer(users[login], skills=skills, availability="周末", consent=True)
    recorder, verifier = users["shegong"], users["weiyuan"]
    today = date.today()
    for n, (login, minutes, what, days_ago) in enumerate([
        ("13800000001", 120, "助老陪伴：陪同孙奶奶社区医院复诊", 20),
        ("13800000001", 90, "文明劝导：北门非机动车规范停放", 12),
        ("13800000004", 180, "社区环境整治：3幢楼道清理", 9),
        ("13800000003", 60, "助餐点试运营帮厨", 3),
        ("weiyuan", 240, "防汛巡查", 30),
    ]):
        ledger.credit_service(users[login], minutes, description=what, served_on=today - timedelta(days=days_ago),
                              recorded_by=recorder, idempotency_key=f"demo-service-{n}",
                              # nobody verifies their own service: the subdistrict verifies the committee member's
                              verified_by=users["jiedao"] if users[login] is verifier else verifier)
    _family(users)


def _family(users: dict[str, User]) -> None:
    """张阿姨 (朝阳社区) and her mother 王老太, 86, living alone in 南园社区: linked
    as family; 张阿姨 gave her mother an hour (通存通兑, across communities);
    南园's social worker, on a home visit, named 张阿姨 her mother's proxy (代办)
    with the mother's consent on record; 孙奶奶 asked 周师傅 to link (waiting);
    张阿姨 donated half an hour to the pool."""
    from app.timebank import family
    from app.timebank.family_models import Relation

    zhang, sun, zhou = users["13800000001"], users["13800000003"], users["13800000004"]
    nanyuan = users["13800000005"].community
    mother = accounts.create_user(None, login="13800000009", display_name="王老太", password=DEMO_PASSWORD,
                                  community=nanyuan, verified=True, household="4幢1单元102")
    users["13800000009"] = mother
    link = family.ask_link(zhang, mother, Relation.parent)
    family.accept_link(mother, link)
    family.give_to_relative(zhang, mother, 60, idempotency_key="demo-family-gift")
    family.designate_proxy(users["shegong2"], mother, zhang, adult=True,
                           consent_note="社工上门走访，王老太本人口头同意由女儿张阿姨代办，邻居在场")
    family.ask_link(sun, zhou, Relation.other)
    family.donate_to_pool(zhang, 30, idempotency_key="demo-donation")


def _consultation(users: dict[str, User], communities) -> None:
    """Topics in every stage of 民事民议、民事民决、民事民办、民事民评 in 朝阳社区."""
    from app.consultation import services as c
    from app.consultation.models import Outcome, Stance, SupportBasis

    chaoyang = communities["朝阳社区"]
    shegong = users["shegong"]
    c.save_settings(shegong, chaoyang, support_threshold=5, support_basis=SupportBasis.households,
                    reports_to_hide=3, rating_window_days=30, keywords="代开发票\n贷款",
                    categories=["社区环境", "物业管理", "加装电梯", "停车", "养老助餐", "文体活动", "安全", "其他"])
    category = {cat.name: cat.id for cat in c.categories_for(chaoyang.id)}
    zhang, sun, zhou, chen = users["13800000001"], users["13800000003"], users["13800000004"], users["weiyuan"]

    def topic(author, title, body, cat, location="", proxy=None):
        t = c.create_topic(author, chaoyang, title=title, body=body, category_id=category[cat], location=location,
                           submit=True, proxy=proxy)
        return t

    elevator = topic(zhang, "3幢加装电梯意见征集",
                     "3幢共18户，60岁以上老人占一半，上下楼困难。建议启动加装电梯，费用按楼层分摊，"
                     "一楼住户的采光和噪音顾虑请一并协商。", "加装电梯", "3幢")
    c.publish(shegong, elevator)
    for supporter in (zhang, sun, zhou):
        c.add_support(supporter, elevator)
    c.start_deliberation(shegong, elevator, "社区两委研究，提交居民议事会协商")
    c.put_on_agenda(shegong, elevator, "12月居民代表会议")
    c.add_comment(sun, elevator, body="支持！我家住五楼，每天买菜上下楼很吃力。", stance=Stance.support,
                  idempotency_key="demo-1")
    first = c.add_comment(zhou, elevator, body="一楼住户担心采光，希望看到设计方案后再定。", stance=Stance.neutral,
                          idempotency_key="demo-2")
    c.add_comment(zhang, elevator, body="可以请设计单位来现场讲解。", stance=Stance.support, parent_id=first.id,
                  idempotency_key="demo-3")

    parking = topic(zhou, "小区停车位不足，电动车乱停",
                    "晚上电动车停在消防通道，存在安全隐患。建议增设非机动车棚和充电桩。", "停车", "北门")
    c.publish(shegong, parking)
    c.add_support(zhang, parking)
    c.add_comment(chen, parking, body="物业已在排查可用场地。", stance=Stance.neutral, idempotency_key="demo-4")

    meals = topic(sun, "老年助餐点选址",
                  "希望在社区活动中心一楼设立老年助餐点，方便独居老人吃上热饭。", "养老助餐", "社区活动中心")
    c.publish(shegong, meals)
    c.start_deliberation(shegong, meals, "纳入民生实事项目征集")
    c.record_decision(shegong, meals, Outcome.adopted, "居民代表会议：应到19人，实到15人，赞成13票，通过")
    c.add_progress(shegong, meals, "已与街道社区服务中心签订运营协议，场地改造中。")
    c.add_progress(shegong, meals, "助餐点试运营，每日供应午餐80份。")
    c.complete(shegong, meals, "助餐点正式开放，80岁以上老人就餐享受补贴。")
    c.rate(zhang, meals, 5, "饭菜可口，价格实惠")
    c.rate(zhou, meals, 4)

    _meetings(users, chaoyang, shegong, elevator)
    topic(users["13800000001"], "楼道堆物清理", "5幢楼道长期堆放杂物，存在消防隐患。", "安全", "5幢",
          proxy=None)
    topic(users["13800000003"], "楼道照明维修", "2幢3单元楼道灯坏了一个月，晚上很黑。", "物业管理", "2幢3单元",
          proxy=shegong)


def _meetings(users: dict[str, User], community, chair, topic) -> None:
    """朝阳社区居民代表会议 with its representatives and a meeting on the elevator topic."""
    from datetime import datetime, timedelta, timezone

    from app.meetings.agenda import schedule_meeting
    from app.meetings.bodies import add_member, save_body
    from app.meetings.models import BodyKind

    body = save_body(chair, community, name="朝阳社区居民代表会议", kind=BodyKind.residents_representatives)
    for login in ("weiyuan", "13800000001", "13800000003", "13800000004"):
        add_member(chair, body, user=users[login])
    for name in ("钱大伯", "冯阿姨", "楼组长 吴师傅"):
        add_member(chair, body, name=name)  # representatives without a phone
    starts = datetime.now(timezone.utc).replace(hour=1, minute=30, second=0, microsecond=0) + timedelta(days=7)
    schedule_meeting(chair, body, title="12月居民代表会议", starts_at=starts, place="朝阳社区党群服务中心二楼会议室",
                     topics=[topic], free_items=["2027年民生实事项目征集"])


def _exchange(users: dict[str, User]) -> None:
    """Help between neighbours in 朝阳社区: 陈爷爷 (84, living alone, a priority
    resident) asked for a companion to hospital with pool support, approved and
    reserved, 周师傅 chosen; 孙奶奶's haircut, served and rated; two open
    requests; 张阿姨's standing offer of phone lessons; 周师傅's record of a
    repair that 孙奶奶 has not confirmed yet."""
    from datetime import timedelta

    from app.localtime import today
    from app.sqltypes import utcnow
    from app.timebank import exchange, ledger

    zhang, sun, zhou, chen_wy = (users[k] for k in ("13800000001", "13800000003", "13800000004", "weiyuan"))
    worker = users["shegong"]
    chaoyang = zhang.community
    elder = accounts.create_user(None, login="13800000010", display_name="陈爷爷", password=DEMO_PASSWORD,
                                 community=chaoyang, verified=True, household="1幢1单元101")
    users["13800000010"] = elder
    kinds = {c.name: c.id for c in exchange.categories(chaoyang.id)}
    tomorrow = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1, hours=2)

    exchange.set_priority(worker, elder, True, "84岁独居")
    ledger.donate(zhou, 120, idempotency_key="demo-pool-zhou")
    escort = exchange.post_request(worker, elder, category_id=kinds["陪诊"], needed_at=tomorrow, place="市第一人民医院",
                                   minutes=120, notes="上午挂号，需要有人陪同看眼科", pool_reason="独居老人，余额不足")
    exchange.decide_pool(worker, escort, approve=True)
    exchange.choose(worker, escort, exchange.offer(zhou, escort, "我开车送陈爷爷").id)
    exchange.send_message(zhou, escort, "明早八点在1幢楼下等您。")

    haircut = exchange.post_request(sun, sun, category_id=kinds["理发"], needed_at=tomorrow, place="2幢3单元202",
                                    minutes=30)
    exchange.choose(sun, haircut, exchange.offer(chen_wy, haircut).id)
    haircut.needed_at = utcnow() - timedelta(days=2)  # it took place two days ago
    exchange.confirm(sun, haircut, rating=5, comment="剪得很精神，谢谢陈委员")

    exchange.post_request(sun, sun, category_id=kinds["助餐"], needed_at=tomorrow + timedelta(days=1),
                          place="2幢3单元202", minutes=30, notes="帮忙从助餐点取午饭")
    exchange.post_request(zhang, zhang, category_id=kinds["代购"], needed_at=tomorrow + timedelta(days=2),
                          place="3幢2单元501", minutes=30, notes="帮买一袋米，扛上五楼", accept_first=True)
    exchange.save_listing(zhang, category_id=kinds["手机使用帮助"], title="手机使用教学",
                          description="教老人用微信视频、扫码、挂号，周末上门")
    exchange.start_claim(zhou, sun, minutes=60, description="修厨房水龙头", served_on=today())
