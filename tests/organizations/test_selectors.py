"""Reads other apps build on: unit search for participants, the tree, headcounts."""

import pytest
from django.db.models import Sum

from organizations.factories import CampaignFactory, HeadcountFactory, UnitFactory
from organizations.models import Campaign, Unit, UnitKind
from organizations.selectors import campaigns, headcounts_for, search_units, unit_tree

pytestmark = pytest.mark.django_db


def names(units):
    return [unit.name for unit in units]


def test_search_units_finds_by_alias():
    assert names(search_units(query="实小")) == ["莱西市实验小学"]
    assert names(search_units(query="二中")) == ["莱西市第二中学"]


def test_search_units_puts_exact_and_leading_matches_first(town):
    UnitFactory(kind=UnitKind.SCHOOL, name="水集", parent=town)
    assert names(search_units(query="水集"))[:3] == ["水集", "水集中心小学", "水集示范商贸有限公司"]


def test_search_units_filters_by_kind_and_skips_closed_units(town):
    UnitFactory(kind=UnitKind.SCHOOL, name="实验小学旧址", parent=town, is_active=False)
    assert names(search_units(query="实验", kinds=[UnitKind.SCHOOL])) == ["莱西市实验小学", "莱西经济开发区实验学校"]
    assert names(search_units(query="示范", kinds=[UnitKind.ENTERPRISE], limit=2)) == [
        "南墅示范矿业有限公司",
        "夏格庄示范石材厂",
    ]
    assert search_units(query="   ") == []


def test_unit_tree_has_parents_before_children_and_towns_first():
    (laixi,) = [root for root in unit_tree() if root.unit.name == "莱西市"]
    assert [child.unit.kind for child in laixi.children][:12] == [UnitKind.TOWN] * 12
    assert {child.unit.name for child in laixi.children[12:]} == {"莱西市应急管理局", "莱西市教育体育局"}
    nodes = list(laixi.walk())
    assert len(nodes) == Unit.objects.count()
    positions = {node.unit.pk: i for i, node in enumerate(nodes)}
    for node in nodes:
        if node.unit.parent_id:
            assert positions[node.unit.parent_id] < positions[node.unit.pk]
            assert node.depth == (1 if node.unit.parent.kind == UnitKind.CITY else 2)


def test_unit_tree_can_leave_out_closed_units(town, school):
    town.is_active = False
    town.save()
    (test_city,) = [root for root in unit_tree(active_only=True) if root.unit.name == "测试市"]
    assert test_city.children == []


def test_headcounts_for_a_campaign(school, town):
    campaign = CampaignFactory(name="2027年安全生产月", year=2027)
    same_year = CampaignFactory(name="2027年消防宣传月", year=2027)
    HeadcountFactory(unit=school, campaign=campaign, expected=5)
    HeadcountFactory(unit=town, campaign=campaign, audience="residents", expected=7)
    HeadcountFactory(unit=school, campaign=same_year, expected=1000)
    assert sorted(h.expected for h in headcounts_for(campaign=campaign)) == [5, 7]
    assert headcounts_for(campaign=campaign.pk).aggregate(total=Sum("expected")) == {"total": 12}
    demo = Campaign.objects.get(name="2026年安全生产月")
    assert headcounts_for(campaign=demo).count() > 50


def test_headcounts_for_reads_units_and_towns_in_one_query(django_assert_num_queries):
    demo = Campaign.objects.get(name="2026年安全生产月")
    with django_assert_num_queries(1):
        towns = {h.unit.town.name for h in headcounts_for(campaign=demo) if h.unit.town}
    assert "水集街道" in towns


def test_campaigns_latest_first():
    CampaignFactory(name="2025年安全生产月", year=2025)
    CampaignFactory(name="2027年安全生产月", year=2027)
    assert [c.name for c in campaigns()][:3] == ["2027年安全生产月", "2026年安全生产月", "2025年安全生产月"]
