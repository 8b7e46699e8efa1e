"""Writes to the unit tree that every caller (the admin form, imports, factories, the demo) shares."""

from django.db import transaction

from .models import Unit, UnitKind


@transaction.atomic
def save_unit(*, unit: Unit) -> Unit:
    """Save ``unit`` with its ``town`` (the nearest town at or above it) kept current.

    Only the city and towns have children and neither can move (a town's parent is always the
    city), so saving one unit never changes the town of another. Callers validate first
    (``full_clean``), as the import collects every row's errors before writing anything.
    """
    unit.town = unit.nearest_town()
    unit.save()
    if unit.kind == UnitKind.TOWN and unit.town_id != unit.pk:
        # A new town is its own town, which needs its primary key first.
        unit.town = unit
        Unit.objects.filter(pk=unit.pk).update(town=unit)
    return unit
