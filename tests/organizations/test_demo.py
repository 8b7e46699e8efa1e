"""The demo units of 莱西市, loaded once per test database by tests/conftest.py."""

import datetime

import pytest

from organizations.demo import load_demo_units
from organizations.models import AudienceGroup, Campaign, Headcount, Unit, UnitKind
from participation.demo import NO_HEADCOUNT_UNIT

pytestmark = pytest.mark.django_db


def test_demo_tree_is_valid_and_plausible():
    units = Unit.objects.all()
    assert 60 <= units.count() <= 90
    assert Unit.objects.of_kind(UnitKind.TOWN).count() >= 8
    for unit in units:
        unit.full_clean()
    assert Unit.objects.get(name="莱西市实验小学").town.name == "水集街道"


def test_the_2026_campaign():
    campaign = Campaign.objects.get(name="2026年安全生产月")
    assert (campaign.year, campaign.theme) == (2026, "人人讲安全、个个会应急")
    assert (campaign.starts_on, campaign.ends_on) == (datetime.date(2026, 6, 1), datetime.date(2026, 6, 30))
    assert not campaign.public_report


def test_every_member_unit_but_one_has_its_2026_headcount():
    expected_audience = {
        UnitKind.SCHOOL: AudienceGroup.STUDENTS,
        UnitKind.ENTERPRISE: AudienceGroup.STAFF,
        UnitKind.COMMUNITY: AudienceGroup.RESIDENTS,
        UnitKind.GOVERNMENT: AudienceGroup.OFFICIALS,
    }
    # The participation demo leaves one unit without, for the dashboard's missing-denominator flag.
    for unit in Unit.objects.of_kind(*expected_audience).exclude(name=NO_HEADCOUNT_UNIT):
        headcount = unit.headcounts.get(campaign__name="2026年安全生产月")
        assert headcount.audience == expected_audience[unit.kind]
        assert headcount.expected > 0
    assert not Headcount.objects.filter(unit__name=NO_HEADCOUNT_UNIT).exists()


def test_some_units_have_a_liaison_to_call():
    liaisons = Unit.objects.exclude(liaison_name="")
    assert 3 <= liaisons.count() <= 10
    assert liaisons.exclude(liaison_phone="").count() == liaisons.count()
    assert Unit.objects.get(name="莱西市实验小学").liaison_name == "王老师"


def test_loading_again_changes_nothing():
    fields = ("pk", "name", "join_token", "liaison_name", "liaison_phone")
    units = list(Unit.objects.values_list(*fields))
    headcounts = list(Headcount.objects.values_list("pk", "campaign", "expected"))
    campaigns = list(Campaign.objects.values_list("pk", "name"))
    load_demo_units()
    assert list(Unit.objects.values_list(*fields)) == units
    assert list(Headcount.objects.values_list("pk", "campaign", "expected")) == headcounts
    assert list(Campaign.objects.values_list("pk", "name")) == campaigns


def test_loading_fills_in_a_missing_liaison_but_keeps_one_changed_by_staff():
    Unit.objects.filter(name="莱西市实验小学").update(liaison_name="", liaison_phone="")
    Unit.objects.filter(name="水集社区").update(liaison_name="新主任", liaison_phone="")
    load_demo_units()
    assert Unit.objects.get(name="莱西市实验小学").liaison_phone == "13800000001"
    assert Unit.objects.get(name="水集社区").liaison_name == "新主任"
