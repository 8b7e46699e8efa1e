"""Which units a staff account may see: its ``StaffScope`` (a unit and everything under it), or
the whole city when it has none.

- ``scope_unit(user)``: the unit the account is limited to, or None for no limit (superusers, and
  city staff without a scope). Anonymous users are not staff; callers check permissions first.
- ``within_scope(user, unit)``: may this account see figures or people of ``unit``? A row with no
  unit (someone who registered on their own) is visible only without a limit.
- ``restrict_units(units, user)`` / ``subtree_q(unit, prefix)``: QuerySet filters for the subtree.

The tree is at most three deep (市 → 镇/街道 → 单位) and every unit stores its nearest town, so a
subtree is one indexed condition: a town's is ``town = <town>``, a member unit's is itself.
Reports, exports, check-in pages and the unit admin call these; a scoped account asking for a unit
outside its scope is refused with ``OUT_OF_SCOPE_MESSAGE`` (403).
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import StaffScope, Unit, UnitKind

OUT_OF_SCOPE_MESSAGE = _("这个单位不在您负责的范围内，您只能查看本单位及下级单位的情况。")

LIAISON_GROUP = "联络员"
# What a liaison (school, community, enterprise or town) needs, and no more: the 参与情况 dashboard,
# the contest results and the event check-in of their own units, and the unit list (read only).
# Their StaffScope narrows each of these to their subtree.
LIAISON_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("participation", "view_report"),
    ("quizzes", "view_answersheet"),
    ("events", "view_registration"),
    ("events", "change_registration"),
    ("organizations", "view_unit"),
    ("organizations", "view_headcount"),
]

_CACHE_ATTRIBUTE = "_organizations_scope_unit"


def scope_unit(user) -> Unit | None:
    """The unit ``user`` is limited to, or None for no limit. Cached on the user object."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return None
    if not hasattr(user, _CACHE_ATTRIBUTE):
        scope = StaffScope.objects.select_related("unit").filter(user_id=user.pk).first()
        setattr(user, _CACHE_ATTRIBUTE, scope.unit if scope else None)
    return getattr(user, _CACHE_ATTRIBUTE)


def is_scoped(user) -> bool:
    return scope_unit(user) is not None


def subtree_q(unit: Unit, prefix: str = "") -> Q:
    """A condition on units (or on rows whose ``prefix`` leads to a unit, e.g. ``"unit__"``) that
    holds for ``unit`` and every unit below it."""
    if unit.kind == UnitKind.TOWN:
        return Q(**{f"{prefix}town_id": unit.pk})
    if unit.parent_id is None:  # the city: itself, its towns and bodies, and theirs
        return (
            Q(**{f"{prefix}pk": unit.pk})
            | Q(**{f"{prefix}parent_id": unit.pk})
            | Q(**{f"{prefix}parent__parent_id": unit.pk})
        )
    return Q(**{f"{prefix}pk": unit.pk})


def scope_q(user, prefix: str = "") -> Q | None:
    """The condition for ``user``'s scope, or None when the user has no limit."""
    unit = scope_unit(user)
    return None if unit is None else subtree_q(unit, prefix)


def restrict_units(units, user):
    """``units`` (a Unit QuerySet) narrowed to ``user``'s scope."""
    condition = scope_q(user)
    return units if condition is None else units.filter(condition)


def restrict_rows(rows, user, *, unit_field="unit"):
    """Any QuerySet whose rows name a unit in ``unit_field``, narrowed to ``user``'s scope; rows
    with no unit are left out for a scoped user."""
    condition = scope_q(user, prefix=f"{unit_field}__")
    return rows if condition is None else rows.filter(condition)


def _is_within(scope: Unit, unit: Unit) -> bool:
    if unit.pk == scope.pk:
        return True
    if scope.kind == UnitKind.TOWN:
        return unit.town_id == scope.pk
    if scope.parent_id is None:
        return unit.parent_id == scope.pk or (unit.parent is not None and unit.parent.parent_id == scope.pk)
    return False


def within_scope(user, unit: Unit | None) -> bool:
    """May ``user`` see ``unit`` (a Unit, or None for rows without a unit)?"""
    scope = scope_unit(user)
    if scope is None:
        return True
    if unit is None:
        return False
    return _is_within(scope, unit)


def setup_liaison_group() -> Group:
    """The 联络员 group with ``LIAISON_PERMISSIONS`` (created when missing, permissions added)."""
    group, _created = Group.objects.get_or_create(name=LIAISON_GROUP)
    condition = Q(pk__in=[])
    for app_label, codename in LIAISON_PERMISSIONS:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(condition))
    return group


def assign_scope(*, user, unit) -> StaffScope:
    """Limit ``user`` to ``unit`` (replacing any earlier scope)."""
    scope, _created = StaffScope.objects.update_or_create(user=user, defaults={"unit": unit})
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)
    return scope
