"""Writes to the unit tree that every caller (the admin form, imports, factories, the demo) shares."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import StaffScope, Unit, UnitKind
from .scopes import LIAISON_GROUP, setup_liaison_group


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


@transaction.atomic
def assign_liaison(*, unit: Unit, username: str) -> bool:
    """Make ``username`` a liaison account of ``unit``: created when missing, with no usable password
    (管理员 sets one in 用户), put in the 联络员 group and limited to ``unit``. Returns whether
    anything changed.

    Raises ValidationError on ``username`` for a superuser (never limited) and for an account already
    limited to another unit: a liaison moves in 联络员账号, never silently through a file.
    """
    user_model = get_user_model()
    username = user_model.normalize_username(username)
    user = user_model.objects.filter(username=username).first()
    changed = user is None
    if user is None:
        user = user_model(username=username)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    elif user.is_superuser:
        raise ValidationError(
            {"username": _("“%(username)s”是超级管理员账号，不能作为联络员账号。") % {"username": username}}
        )

    scope = StaffScope.objects.select_related("unit").filter(user=user).first()
    if scope is None:
        scope = StaffScope(user=user, unit=unit)
        scope.full_clean()
        scope.save()
        changed = True
    elif scope.unit_id != unit.pk:
        message = _(
            "账号“%(username)s”已是“%(unit)s”的联络员账号；如要改为负责本单位，请先在“单位 → 联络员账号”中修改。"
        )
        raise ValidationError({"username": message % {"username": username, "unit": scope.unit}})

    # An existing group keeps the permissions staff have given it.
    group = Group.objects.filter(name=LIAISON_GROUP).first() or setup_liaison_group()
    if not user.groups.filter(pk=group.pk).exists():
        user.groups.add(group)
        changed = True
    return changed
