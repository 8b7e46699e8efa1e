"""The demo units of 莱西市, loaded once per test database by tests/conftest.py."""

import pytest

from organizations.demo import load_demo_units
from organizations.models import AudienceGroup, Headcount, Unit, UnitKind

pytestmark = pytest.mark.django_db


def test_demo_tree_is_valid_and_plausible():
    units = Unit.objects.all()
    assert 60 <= units.count() <= 90
    assert Unit.objects.of_kind(UnitKind.TOWN).count() >= 8
    for unit in units:
        unit.full_clean()
    assert Unit.objects.get(name="莱西市实验小学").town.name == "水集街道"


def test_every_member_unit_has_its_2026_headcount():
    expected_audience = {
        UnitKind.SCHOOL: AudienceGroup.STUDENTS,
        UnitKind.ENTERPRISE: AudienceGroup.STAFF,
        UnitKind.COMMUNITY: AudienceGroup.RESIDENTS,
        UnitKind.GOVERNMENT: AudienceGroup.STAFF,
    }
    for unit in Unit.objects.of_kind(*expected_audience):
        headcount = unit.headcounts.get(campaign_year=2026)
        assert headcount.audience == expected_audience[unit.kind]
        assert headcount.expected > 0


def test_loading_again_changes_nothing():
    units = list(Unit.objects.values_list("pk", "name", "join_token"))
    headcounts = list(Headcount.objects.values_list("pk", "expected"))
    load_demo_units()
    assert list(Unit.objects.values_list("pk", "name", "join_token")) == units
    assert list(Headcount.objects.values_list("pk", "expected")) == headcounts
