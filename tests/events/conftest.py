from datetime import timedelta

import pytest
from django.utils import timezone

from events.factories import EventIndexPageFactory, EventPageFactory
from organizations.factories import UnitFactory
from organizations.models import UnitKind


@pytest.fixture
def index(home_page):
    index = EventIndexPageFactory(parent=home_page, title="测试活动")
    index.save_revision().publish()
    return index


@pytest.fixture
def town(db):
    return UnitFactory(kind=UnitKind.TOWN, name="测试镇")


@pytest.fixture
def school(town):
    return UnitFactory(kind=UnitKind.SCHOOL, name="测试实验小学", parent=town)


@pytest.fixture
def make_event(index, school):
    """A published event under the test index, by default starting in ``days`` days."""

    def make(days=10, hours=2, publish=True, **fields):
        starts_at = fields.pop("starts_at", None) or (timezone.now() + timedelta(days=days)).replace(
            second=0, microsecond=0
        )
        fields.setdefault("organiser", school)
        event = EventPageFactory(
            parent=index,
            starts_at=starts_at,
            ends_at=fields.pop("ends_at", starts_at + timedelta(hours=hours)),
            **fields,
        )
        if publish:
            event.save_revision().publish()
            event.refresh_from_db()
        else:
            event.unpublish()
        return event

    return make
