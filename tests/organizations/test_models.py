"""The unit tree: rules in Unit.clean() with Chinese messages, the same rules in the database
where a CHECK can say them, and the maintained ``town``."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from organizations.factories import HeadcountFactory, UnitFactory
from organizations.models import Headcount, Unit, UnitKind
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
    HeadcountFactory(unit=school, campaign_year=2026, expected=900)
    duplicate = Headcount(unit=school, campaign_year=2026, audience="students", expected=1)
    assert clean_errors(duplicate) == {"__all__": ["这个单位在该年份已有该对象的应参与人数。"]}
    assert_database_rejects(duplicate)

    too_late = Headcount(unit=school, campaign_year=2101, audience="staff", expected=1)
    assert "campaign_year" in clean_errors(too_late)
    assert_database_rejects(too_late)
    assert str(HeadcountFactory(unit=school, audience="staff")) == "测试市实验小学（2026，职工）"


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
