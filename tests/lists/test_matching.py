"""Answering a resident's question from the version in force."""
from __future__ import annotations

import pytest

from app.lists import services
from app.lists.models import ItemKind


@pytest.mark.parametrize("question, title", [
    ("开居住证明需要找社区吗？", "居住证明"),
    ("居住证明", "居住证明"),
    ("养老金资格认证", "城乡居民基本养老保险待遇领取资格认证"),
    ("生存认证怎么办", "城乡居民基本养老保险待遇领取资格认证"),  # an alias
    ("邻居吵架了社区管吗", "调解民间纠纷"),
    ("开个亲属关系证明", "亲属关系证明"),
    ("我要开困难证明", "困难群众生活状况证明"),
    ("低保", "低保对象家庭状况核查"),
])
def test_questions_find_their_item(places, staff, published, question, title):
    version = published()
    matches = services.match_items(version, question)
    assert matches, question
    assert matches[0].item.title == title
    assert matches[0].reasons


def test_cancelled_certificate_answers_with_its_department(places, staff, published):
    top = services.match_items(published(), "开居住证明需要找社区吗？")[0]
    assert top.item.kind is ItemKind.excluded and top.item.is_certificate and top.item.department == "公安派出所"


@pytest.mark.parametrize("question", ["", "？？？", "社区吗", "今天天气怎么样", "宠物狗疫苗"])
def test_nothing_fits(places, staff, published, question):
    assert services.match_items(published(), question) == []


def test_best_first_and_limited(places, staff, published):
    matches = services.match_items(published(), "证明", limit=2)
    assert len(matches) <= 2
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert services.match_items(None, "居住证明") == []


def test_normalise_strips_filler_and_punctuation():
    assert services.normalise("开居住证明需要找社区吗？") == "居住证明"
    assert services.normalise("养老金资格认证") == "养老金资格认证"
    assert services.normalise("请问，怎么办理 低保？") == "低保"


def test_answers_in_plain_words(places, staff, published):
    version = published()
    cancelled = services.answer(version, "开居住证明需要找社区吗？")
    assert cancelled.tone == "cancelled" and "公安派出所" in cancelled.detail
    issued = services.answer(version, "困难证明")
    assert issued.tone == "yes" and "身份证、户口簿" in issued.detail
    assisted = services.answer(version, "养老金资格认证")
    assert assisted.tone == "yes" and "人社局" in assisted.headline
    duty = services.answer(version, "邻居吵架")
    assert duty.tone == "yes" and duty.detail == "城市居民委员会组织法 第三条"
    nothing = services.answer(version, "宠物狗疫苗")
    assert nothing.tone == "none" and nothing.match is None and nothing.others == []
    several = services.answer(version, "开证明")  # three certificates fit equally: the resident chooses
    assert several.match is None and len(several.others) >= 2
