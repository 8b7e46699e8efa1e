"""Factories for events; the tests and the demo content both build events with these."""

from datetime import datetime, timedelta

import factory
import wagtail_factories

from organizations.factories import UnitFactory
from organizations.models import UnitKind

from .choices import EventKind
from .models import EventIndexPage, EventPage
from .recurrence import LOCAL_TIME_ZONE


class EventIndexPageFactory(wagtail_factories.PageFactory):
    title = "活动"
    slug = factory.Sequence(lambda n: f"events-{n}")

    class Meta:
        model = EventIndexPage


class EventPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"安全宣传活动{n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = EventKind.COMMUNITY
    summary = "现场讲解燃气、用电和消防安全知识，发放宣传资料。"
    starts_at = factory.LazyFunction(lambda: datetime(2026, 6, 16, 9, 0, tzinfo=LOCAL_TIME_ZONE))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    venue_name = "莱西市文化广场"
    venue_address = "莱西市烟台路与上海路交叉口"
    organiser = factory.SubFactory(UnitFactory, kind=UnitKind.COMMUNITY)

    class Meta:
        model = EventPage
        skip_postgeneration_save = True

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set(extracted)
            self.save()
