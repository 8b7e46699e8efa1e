"""Factories for ledger entries, activity reports and campaigns; tests and the demo use them.
Entries are written through ``services.record_participation`` like every real producer."""

import datetime
import hashlib

import factory
from django.utils import timezone

from organizations.factories import UnitFactory
from organizations.models import AudienceGroup, Campaign, audience_for_unit_kind

from . import services
from .choices import Channel
from .models import ActivityReport, ParticipationEntry


class CampaignFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"测试宣传活动{n}")
    year = 2026
    theme = "人人讲安全、个个会应急"
    starts_on = datetime.date(2026, 6, 1)
    ends_on = datetime.date(2026, 6, 30)

    class Meta:
        model = Campaign
        django_get_or_create = ("name",)


def fake_person_key(label):
    return hashlib.sha256(str(label).encode()).hexdigest()


class EntryFactory(factory.django.DjangoModelFactory):
    """A contest entry by default; pass ``channel`` and ``people`` for other kinds (person_key=""
    makes a counted entry)."""

    source = factory.Sequence(lambda n: f"tests.entry:{n}")
    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    channel = Channel.CONTEST
    audience = factory.LazyAttribute(
        lambda o: audience_for_unit_kind(o.unit.kind) if o.unit else AudienceGroup.RESIDENTS
    )
    person_key = factory.Sequence(lambda n: fake_person_key(f"person-{n}"))
    class_name = ""
    people = 1
    occurred_at = factory.LazyFunction(lambda: timezone.make_aware(datetime.datetime(2026, 6, 10, 10, 0)))
    score = factory.LazyAttribute(lambda o: 80 if o.channel == Channel.CONTEST else None)
    max_score = factory.LazyAttribute(lambda o: 100 if o.channel == Channel.CONTEST else None)
    passed = factory.LazyAttribute(lambda o: (o.score >= 60) if o.channel == Channel.CONTEST else None)
    full_marks = factory.LazyAttribute(lambda o: (o.score == o.max_score) if o.channel == Channel.CONTEST else None)
    topic_results = factory.LazyFunction(dict)

    class Meta:
        model = ParticipationEntry

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.record_participation(**kwargs)


class ActivityReportFactory(factory.django.DjangoModelFactory):
    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    title = "安全进校园"
    audience = factory.LazyAttribute(lambda o: audience_for_unit_kind(o.unit.kind))
    people = 120
    held_on = datetime.date(2026, 6, 12)
    note = ""

    class Meta:
        model = ActivityReport

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.save_activity_report(report=model_class(*args, **kwargs))
