"""The demo subdistrict's two lists (太仓 政社互动 style): version 1, and the
revision that became version 2. Legal bases name the law and article where the
duty is written; certificate matters follow the 准入/取消社区盖章证明事项 lists
Suzhou's districts publish. Used by app.demo only."""
from __future__ import annotations

import csv
from pathlib import Path

JUMIN = "城市居民委员会组织法"


def _rows() -> list[dict]:
    """The items of version 2 (demo_items.csv: one row per item, in the order the lists show them)."""
    with Path(__file__).with_name("demo_items.csv").open(encoding="utf-8", newline="") as f:
        return [{**row, "is_certificate": row["is_certificate"] == "yes"} for row in csv.DictReader(f)]


# certificate matters the community still stamped in version 1; version 2 cancels them (取消)
CANCELLED_IN_V2 = [
    ("婚姻状况证明", "民政局婚姻登记处", "单身证明、未婚证明、婚姻证明、没结婚证明、离婚证明", "凭婚姻登记档案或个人书面承诺办理。"),
    ("居家死亡证明", "社区卫生服务中心、公安派出所", "死亡证明、去世证明", "由医疗机构出具死亡医学证明，公安派出所注销户口。"),
    ("健在证明", "市人社局", "生存证明、活着证明、健在证", "养老金资格通过数据比对和人脸识别认证，不再开具健在证明。"),
]

ADDED_IN_V2 = {"未成年人保护专人专岗", "燃气使用安全宣传"}
REMOVED_IN_V2 = {"人口抽样调查入户": "并入“人口普查、经济普查等统计调查入户登记”"}
# (title, field, version-1 value, reason): what version 2 changed
CHANGED_IN_V2 = [
    ("调解民间纠纷", "legal_basis", f"{JUMIN} 第三条第三项", "补充人民调解法的依据"),
    ("高龄津贴申领初审", "materials", "身份证、户口簿、本人银行卡、近期免冠照片", "数据共享后不再收照片"),
    ("违法建设发现和报告", "description", "", "写明社区只报告，查处由执法部门负责"),
]


def version_1() -> list[dict]:
    """Version 1: before the revision that made version 2."""
    old = {title: (field, value) for title, field, value, _why in CHANGED_IN_V2}
    items = []
    for item in _rows():
        if item["title"] in ADDED_IN_V2:
            continue
        if item["title"] in old:
            field, value = old[item["title"]]
            item[field] = value
        items.append(item)
    items += [dict(kind="assisted", title=title, category="证明事项", legal_basis="", department="民政科",
                   is_certificate=True, materials="身份证、户口簿", keywords=keywords, description="社区出具证明。")
              for title, _dept, keywords, _d in CANCELLED_IN_V2]
    return items


def version_2_changes(subdistrict_items: dict) -> list[tuple]:
    """What the revision does, as (operation, item or None, values, reason) for app.lists.services."""
    changes = []
    by_title = {row["title"]: row for row in _rows()}
    for title in sorted(ADDED_IN_V2):
        changes.append(("add", None, by_title[title], "区里新增的依法履职/协助事项"))
    for title, reason in REMOVED_IN_V2.items():
        changes.append(("remove", subdistrict_items[title], None, reason))
    for title, _field, _old, reason in CHANGED_IN_V2:
        changes.append(("change", subdistrict_items[title], by_title[title], reason))
    for title, dept, keywords, description in CANCELLED_IN_V2:
        changes.append(("change", subdistrict_items[title], dict(
            kind="excluded", title=title, category="证明事项", legal_basis="", department=dept, is_certificate=True,
            materials="", keywords=keywords, description=description), "取消社区盖章证明事项（减负）"))
    return changes
