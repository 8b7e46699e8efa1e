"""Factories for units and headcounts; the tests and the demo units both build data with these."""

import factory

from .models import ALLOWED_PARENT_KINDS, AudienceGroup, Headcount, Unit, UnitKind


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
        django_get_or_create = ("parent", "name")


class HeadcountFactory(factory.django.DjangoModelFactory):
    unit = factory.SubFactory(UnitFactory)
    campaign_year = 2026
    audience = AudienceGroup.STUDENTS
    expected = 100

    class Meta:
        model = Headcount
        django_get_or_create = ("unit", "campaign_year", "audience")
