"""Units of a made-up city beside the demo's 莱西市, so tests do not depend on demo names."""

import pytest
from django.contrib.auth import get_user_model

from organizations.factories import UnitFactory
from organizations.models import UnitKind


@pytest.fixture
def city(db):
    return UnitFactory(kind=UnitKind.CITY, name="测试市", parent=None, code="TEST-CITY")


@pytest.fixture
def town(city):
    return UnitFactory(kind=UnitKind.TOWN, name="测试街道", parent=city)


@pytest.fixture
def other_town(city):
    return UnitFactory(kind=UnitKind.TOWN, name="测试镇", parent=city)


@pytest.fixture
def school(town):
    return UnitFactory(kind=UnitKind.SCHOOL, name="测试市实验小学", parent=town, aliases="测试实小")


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client
