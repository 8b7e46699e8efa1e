"""Factories for units, campaigns and headcounts; the tests and the demo units both build data with these."""

import datetime

import factory

from .models import ALLOWED_PARENT_KINDS, AudienceGroup, Campaign, Headcount, Unit, UnitKind
from .services import save_unit


def _default_parent(unit):
    """A fresh unit of the first kind this one may belong to (a school gets a new town, which
    gets a new city), so ``UnitFactory(kind=...)`` alone gives a valid tree."""
    allowed = ALLOWED_PARENT_KINDS[unit.kind]
    return UnitFactory(kind=allowed[0]) if allowed else None


class UnitFactory(factory.django.DjangoModelFactory):
    kind = UnitKind.SCHOOL
    name = factory.LazyAttributeSequence(lambda o, n: f"测试{UnitKind(o.kind).label.split('/')[0]}{n}")
    parent = factory.LazyAttribute(_default_parent)

    class Meta:
        model = Unit

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Get or create by (parent, name), saved through the service that keeps ``town`` current.
        existing = model_class.objects.filter(parent=kwargs.get("parent"), name=kwargs["name"]).first()
        return existing or save_unit(unit=model_class(*args, **kwargs))


class CampaignFactory(factory.django.DjangoModelFactory):
    """A June campaign of ``year``; looked up by name, so naming an existing campaign returns it."""

    name = factory.Sequence(lambda n: f"测试宣传活动{n}")
    year = 2026
    theme = ""
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 6, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 6, 30))

    class Meta:
        model = Campaign
        django_get_or_create = ("name",)


class HeadcountFactory(factory.django.DjangoModelFactory):
    unit = factory.SubFactory(UnitFactory)
    campaign = factory.SubFactory(CampaignFactory)
    audience = AudienceGroup.STUDENTS
    expected = 100

    class Meta:
        model = Headcount
        django_get_or_create = ("unit", "campaign", "audience")
