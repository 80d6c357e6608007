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
    return users
