"""Factories for events; the tests and the demo content both build events with these."""

from datetime import datetime, timedelta

import factory
import wagtail_factories
from django.utils import timezone

from organizations.factories import UnitFactory
from organizations.models import UnitKind

from .choices import EnteredBy, EventKind, RegistrationStatus
from .models import EventIndexPage, EventPage, Registration
from .recurrence import LOCAL_TIME_ZONE
from .services import ADULT_OR_GUARDIAN_CONSENT_VERSION


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


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A registration made on the public form, with its age confirmation, written directly (no
    place counting or signal: use ``services.register`` for those)."""

    event = factory.SubFactory(EventPageFactory)
    occurrence_date = factory.LazyAttribute(lambda o: o.event.starts_at.astimezone(LOCAL_TIME_ZONE).date())
    name = factory.Sequence(lambda n: f"报名人{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    status = RegistrationStatus.CONFIRMED
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    entered_by = EnteredBy.PUBLIC
    adult_or_guardian_consent_at = factory.LazyFunction(timezone.now)
    adult_or_guardian_consent_version = ADULT_OR_GUARDIAN_CONSENT_VERSION

    class Meta:
        model = Registration
