"""Reads for units and headcounts: views, the admin and other apps (contests) call these."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from core.errors import ReaderFacingNotFound

from .models import TOWN_MEMBER_KINDS, Campaign, Headcount, StaffScope, Unit, UnitKind

KIND_ORDER = {kind: position for position, kind in enumerate(UnitKind.values)}


def active_unit(*, pk) -> Unit | None:
    """The active unit with this id (and its town), or None when there is none or it was deactivated."""
    if pk is None:
        return None
    return Unit.objects.active().select_related("town").filter(pk=pk).first()


def unit_for_join_token(*, token) -> Unit:
    unit = Unit.objects.active().filter(join_token=token).first()
    if unit is None:
        raise ReaderFacingNotFound(_("这个单位二维码无效或已停用，请向所在单位索取新的二维码。"))
    return unit


def get_unit(*, pk) -> Unit:
    unit = Unit.objects.select_related("parent").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def poster_units_of_town(*, town) -> list[Unit]:
    """The active schools, communities and enterprises of ``town`` (the units whose people take
    the contests through a QR poster), by kind, then name."""
    units = Unit.objects.active().of_kind(*TOWN_MEMBER_KINDS).filter(town=town).select_related("parent")
    return sorted(units, key=lambda unit: (KIND_ORDER[unit.kind], unit.name, unit.pk))


def search_units(*, query, kinds=None, limit=20) -> list[Unit]:
    """Active units whose name or alias contains ``query``: an exact name first, then names that
    start with it, then the rest, each group by name. An empty query finds nothing."""
    query = query.strip()
    if not query:
        return []
    units = (
        Unit.objects.active()
        .of_kind(*(kinds or ()))
        .search_text(query)
        .select_related("parent", "town")
        .annotate(
            rank=Case(
                When(name=query, then=Value(0)),
                When(name__startswith=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "name", "pk")
    )
    return list(units[:limit])


@dataclass
class UnitNode:
    unit: Unit
    depth: int
    children: list["UnitNode"] = field(default_factory=list)

    def walk(self):
        """This node and everything below it, parents before children."""
        yield self
        for child in self.children:
            yield from child.walk()


def unit_tree(*, active_only=False) -> list[UnitNode]:
    """The whole tree in one query: the roots (the city), each with its children sorted by kind
    (towns first) and name."""
    units = Unit.objects.select_related("parent")
    if active_only:
        units = units.active()
    by_parent = defaultdict(list)
    for unit in units:
        by_parent[unit.parent_id].append(unit)

    def build(unit, depth):
        node = UnitNode(unit=unit, depth=depth)
        children = sorted(by_parent.get(unit.pk, ()), key=lambda u: (KIND_ORDER[u.kind], u.name))
        node.children = [build(child, depth + 1) for child in children]
        return node

    # With active_only, units under an inactive parent are left out with it.
    return [build(root, 0) for root in sorted(by_parent.get(None, ()), key=lambda u: u.name)]


def headcounts_for(*, campaign):
    """The expected headcounts of one campaign (a Campaign or its id), as a QuerySet so reports can
    filter or aggregate further (for example ``.values("unit__town").annotate(Sum("expected"))``)."""
    return Headcount.objects.filter(campaign=campaign).select_related("unit", "unit__town", "campaign")


def campaigns():
    """Every campaign, the latest first."""
    return Campaign.objects.order_by("-starts_on", "name")


def liaison_usernames_by_unit() -> dict[int, list[str]]:
    """Each unit's liaison accounts (usernames in order), by unit id; units without one are absent."""
    usernames = defaultdict(list)
    for unit_id, username in StaffScope.objects.order_by("user__username").values_list("unit_id", "user__username"):
        usernames[unit_id].append(username)
    return dict(usernames)


def campaigns_past_retention(*, today) -> list[Campaign]:
    """Campaigns whose personal data was to be kept until before ``today``."""
    return [campaign for campaign in campaigns() if campaign.personal_data_kept_until < today]
