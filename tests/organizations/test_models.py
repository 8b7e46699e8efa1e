"""The unit tree: rules in Unit.clean() with Chinese messages, the same rules in the database
where a CHECK can say them, and the maintained ``town``."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError

from organizations.factories import CampaignFactory, HeadcountFactory, UnitFactory
from organizations.models import AudienceGroup, Campaign, Headcount, Unit, UnitKind, audience_for_unit_kind
from organizations.services import save_unit

pytestmark = pytest.mark.django_db


def clean_errors(unit):
    with pytest.raises(ValidationError) as excinfo:
        unit.full_clean()
    return excinfo.value.message_dict


def assert_database_rejects(record):
    """Saving without clean() (a unit through its service) is stopped by a constraint."""
    with pytest.raises(IntegrityError), transaction.atomic():
        save_unit(unit=record) if isinstance(record, Unit) else record.save()


@pytest.fixture
def community(town):
    return UnitFactory(kind=UnitKind.COMMUNITY, name="测试社区", parent=town)


@pytest.fixture
def tree(city, town, community, school):
    return {"city": city, "town": town, "community": community, "school": school}


@pytest.mark.parametrize(
    ("kind", "parent_key", "message"),
    [
        (UnitKind.CITY, "town", "“市”是最上级单位，不能有上级单位。"),
        (UnitKind.TOWN, None, "请选择上级单位：“镇/街道/开发区”必须属于“市”。"),
        (UnitKind.SCHOOL, None, "请选择上级单位：“学校”必须属于“镇/街道/开发区”。"),
        (UnitKind.SCHOOL, "community", "“学校”的上级单位必须是“镇/街道/开发区”，“测试社区”是“社区/村”。"),
        (UnitKind.COMMUNITY, "city", "“社区/村”的上级单位必须是“镇/街道/开发区”，“测试市”是“市”。"),
        (UnitKind.ENTERPRISE, "school", "“企业”的上级单位必须是“镇/街道/开发区”，“测试市实验小学”是“学校”。"),
        (UnitKind.GOVERNMENT, "school", "“机关单位”的上级单位必须是“市”或“镇/街道/开发区”，“测试市实验小学”是“学校”。"),
    ],
)
def test_parent_rules_are_explained_and_enforced_by_the_database(tree, kind, parent_key, message):
    unit = Unit(name="新单位", kind=kind, parent=tree[parent_key] if parent_key else None)
    assert clean_errors(unit) == {"parent": [message]}
    assert_database_rejects(unit)


def test_town_under_a_town_is_refused(town):
    unit = Unit(name="新街道", kind=UnitKind.TOWN, parent=town)
    assert clean_errors(unit) == {"parent": ["“镇/街道/开发区”的上级单位必须是“市”，“测试街道”是“镇/街道/开发区”。"]}


def test_unit_cannot_be_its_own_parent(town):
    town.parent = town
    assert clean_errors(town) == {"parent": ["单位不能以自己为上级单位。"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.filter(pk=town.pk).update(parent=F("pk"))


def test_no_cycles(city, town):
    city.parent = town
    assert clean_errors(city) == {"parent": ["上级单位不能是本单位的下级单位。"]}


def test_kind_cannot_change_to_one_its_children_may_not_belong_to(school, town):
    town.kind = UnitKind.GOVERNMENT
    assert clean_errors(town) == {"kind": ["该单位下有“学校”，不能改为“机关单位”。"]}


def test_name_is_unique_among_siblings_only(town, other_town, school):
    twin = Unit(name=school.name, kind=UnitKind.SCHOOL, parent=town)
    assert clean_errors(twin) == {"__all__": ["同一上级单位下已有同名单位。"]}
    assert_database_rejects(twin)
    cousin = Unit(name=school.name, kind=UnitKind.SCHOOL, parent=other_town)
    cousin.full_clean()
    cousin.save()


def test_root_names_are_unique_too(city):
    twin = Unit(name=city.name, kind=UnitKind.CITY)
    assert clean_errors(twin) == {"name": ["已有同名的市级单位。"]}
    assert_database_rejects(twin)


def test_code_is_unique_when_given(town, school):
    school.code = "3702850001"
    school.save()
    twin = Unit(name="另一所学校", kind=UnitKind.SCHOOL, parent=town, code="3702850001")
    assert clean_errors(twin) == {"code": ["这个代码已被其他单位使用。"]}
    assert_database_rejects(twin)
    # Blank codes never collide.
    for name in ("无代码一", "无代码二"):
        Unit(name=name, kind=UnitKind.SCHOOL, parent=town).full_clean()
        UnitFactory(name=name, kind=UnitKind.SCHOOL, parent=town, code="")


def test_names_and_aliases_may_not_look_like_spreadsheet_formulas(town):
    unit = Unit(name="=HYPERLINK(1)", kind=UnitKind.SCHOOL, parent=town, aliases="好名字\n@SUM(1)")
    errors = clean_errors(unit)
    assert errors["name"] == ["不能以 = + - @ 开头（电子表格会把它当作公式）。"]
    assert errors["aliases"] == errors["name"]


def test_aliases_are_tidied(town):
    unit = Unit(name="测试中学", kind=UnitKind.SCHOOL, parent=town, aliases=" 一中 \n\n一中\n测试一中 ")
    unit.full_clean()
    assert unit.aliases == "一中\n测试一中"
    assert unit.alias_list == ["一中", "测试一中"]


def test_town_is_maintained_on_save(city, town, other_town, school):
    assert town.town == town
    assert Unit.objects.get(pk=town.pk).town_id == town.pk
    assert school.town == town
    assert city.town is None
    city_body = UnitFactory(kind=UnitKind.GOVERNMENT, name="测试市应急管理局", parent=city)
    town_body = UnitFactory(kind=UnitKind.GOVERNMENT, name="测试街道应急办", parent=town)
    assert city_body.town is None
    assert town_body.town == town

    school.parent = other_town
    school.full_clean()
    school.save()
    assert Unit.objects.get(pk=school.pk).town == other_town


def test_the_factory_builds_a_valid_tree_for_any_kind():
    for kind in UnitKind.values:
        unit = UnitFactory(kind=kind)
        unit.full_clean()  # raises ValidationError for a parent of the wrong kind
        assert (unit.parent is None) == (kind == UnitKind.CITY), kind


def test_join_token_is_random_url_safe_and_unique(school, town):
    assert len(school.join_token) == 24
    assert school.join_token != town.join_token
    assert school.get_join_url() == f"/units/join/{school.join_token}/"


def test_queryset_filters(town, school):
    closed = UnitFactory(kind=UnitKind.SCHOOL, name="测试停办小学", parent=town, is_active=False)
    assert closed not in Unit.objects.active()
    assert set(Unit.objects.filter(town=town).of_kind(UnitKind.SCHOOL)) == {school, closed}
    assert set(Unit.objects.of_kind()) == set(Unit.objects.all())
    assert list(Unit.objects.search_text("测试实小")) == [school]  # alias
    assert list(Unit.objects.search_text(" 实验小学 ").filter(town=town)) == [school]


def test_headcount_rules(school):
    campaign = CampaignFactory(name="2027年安全生产月", year=2027)
    HeadcountFactory(unit=school, campaign=campaign, expected=900)
    duplicate = Headcount(unit=school, campaign=campaign, audience="students", expected=1)
    assert clean_errors(duplicate) == {"__all__": ["这个单位在该宣传活动中已有该对象的应参与人数。"]}
    assert_database_rejects(duplicate)
    assert (
        str(HeadcountFactory(unit=school, campaign=campaign, audience="staff"))
        == "测试市实验小学（2027年安全生产月，职工）"
    )


def test_a_campaign_with_headcounts_cannot_be_deleted(school):
    campaign = CampaignFactory(name="2027年安全生产月", year=2027)
    HeadcountFactory(unit=school, campaign=campaign)
    with pytest.raises(ProtectedError):
        campaign.delete()


def test_campaign_rules(db):
    backwards = Campaign(name="倒着的活动", year=2027, starts_on=date(2027, 6, 30), ends_on=date(2027, 6, 1))
    assert clean_errors(backwards) == {"__all__": ["结束日期不能早于开始日期。"]}
    assert_database_rejects(backwards)

    out_of_range = Campaign(name="太晚的活动", year=2101, starts_on=date(2101, 6, 1), ends_on=date(2101, 6, 30))
    assert "year" in clean_errors(out_of_range)
    assert_database_rejects(out_of_range)

    kept_too_long = Campaign(
        name="留存太久的活动", year=2027, starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 30), retention_days=3651
    )
    assert "retention_days" in clean_errors(kept_too_long)
    assert_database_rejects(kept_too_long)

    formula = Campaign(
        name="=HYPERLINK(1)", theme="+安全", year=2027, starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 1)
    )
    message = "不能以 = + - @ 开头（电子表格会把它当作公式）。"
    assert clean_errors(formula) == {"name": [message], "theme": [message]}

    CampaignFactory(name="同名活动")
    assert "name" in clean_errors(
        Campaign(name="同名活动", year=2026, starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 1))
    )


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13800000001", True),
        ("0532-12345678", True),
        ("010-1234567", True),
        ("0532-88001234-801", True),
        ("12800000001", False),  # no mobile number starts 12
        ("1380000000", False),
        ("053212345678", False),  # the area code needs its dash
        ("0532-0123456", False),
        ("+8613800000001", False),
        ("-13800000001", False),
        ("138 0000 0001", False),
        ("13800000001\n", False),
        ("0532-12345678\n", False),
    ],
)
def test_liaison_phone_format_is_checked_and_enforced_by_the_database(school, phone, ok):
    school.liaison_name = "王老师"
    school.liaison_phone = phone
    if ok:
        school.full_clean()
        save_unit(unit=school)
        return
    assert clean_errors(school) == {
        "liaison_phone": ["联系电话应为11位手机号，或带区号的固定电话，例如 0532-12345678。"]
    }
    assert_database_rejects(school)


def test_a_liaison_phone_needs_a_name_and_the_name_no_formula(school):
    school.liaison_phone = "13800000001"
    assert clean_errors(school) == {"liaison_name": ["填写联系电话时请同时填写联系人。"]}
    assert_database_rejects(school)
    school.liaison_name = "=cmd|' /C calc'!A0"
    assert clean_errors(school) == {"liaison_name": ["不能以 = + - @ 开头（电子表格会把它当作公式）。"]}
    school.liaison_name = "王老师"
    school.full_clean()
    school.liaison_phone = ""
    school.full_clean()  # a name alone is a contact too


@pytest.mark.parametrize(
    ("kind", "audience"),
    [
        (UnitKind.SCHOOL, AudienceGroup.STUDENTS),
        (UnitKind.ENTERPRISE, AudienceGroup.STAFF),
        (UnitKind.GOVERNMENT, AudienceGroup.OFFICIALS),
        (UnitKind.COMMUNITY, AudienceGroup.RESIDENTS),
        (UnitKind.TOWN, AudienceGroup.RESIDENTS),
        (UnitKind.CITY, AudienceGroup.RESIDENTS),
        (UnitKind.OTHER, AudienceGroup.RESIDENTS),
        ("school", AudienceGroup.STUDENTS),  # the stored value works as well as the enum
    ],
)
def test_audience_for_unit_kind(kind, audience):
    assert audience_for_unit_kind(kind) == audience


def test_audience_labels():
    assert dict(AudienceGroup.choices) == {
        "students": "学生",
        "staff": "职工",
        "residents": "居民",
        "officials": "机关干部",
    }


def test_an_empty_town_can_be_deleted_but_not_one_with_units(db):
    from django.db.models import ProtectedError

    from organizations.factories import UnitFactory
    from organizations.models import Unit, UnitKind

    school = UnitFactory(kind=UnitKind.SCHOOL, name="删除测试小学")
    town = school.parent
    with pytest.raises(ProtectedError):
        town.delete()
    school.delete()
    town.delete()
    assert not Unit.objects.filter(pk=town.pk).exists()
