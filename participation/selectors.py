"""Reads over the ledger for any campaign and any unit subtree (``unit=None`` is the whole city).

Every figure is additive over units: a person's key includes their unit (organizations.people),
so distinct people per unit add up to distinct people per town and per city. That is what lets a
report load in a fixed number of queries whatever the number of units: the database aggregates per
(unit, audience[, channel]); Python adds the groups up the tree from ``organizations.selectors.unit_tree``.

Definitions (the dashboard explains them in the same words):
- 参与人数 (participants, the "reached" figure): distinct people among answer sheets and individual
  check-ins, plus the people of counted entries (group check-ins, recorded attendance, activities).
  Registrations are intentions and are not counted until checked in.
- 参与率 (rate): participants ÷ expected headcount (Σ the headcounts of the subtree), in percent.
  Missing denominator: no headcount, so no rate. Over 100 % is shown as it is, never capped.
- 平均得分率, 及格率, 满分: over finished answer sheets (every sheet, not only a person's best).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.db.models import Count, FloatField, Q, Sum
from django.db.models.functions import Cast
from wagtail.models import Page

from organizations.models import Campaign, Headcount, Unit, UnitKind
from organizations.selectors import unit_tree

from . import rollups, services
from .choices import Channel
from .models import ParticipationEntry

# Member kinds: units that are not containers of other units (what coverage and rankings list).
MEMBER_KINDS = (UnitKind.COMMUNITY, UnitKind.SCHOOL, UnitKind.ENTERPRISE, UnitKind.GOVERNMENT, UnitKind.OTHER)
RANKED_KINDS = (UnitKind.TOWN, UnitKind.SCHOOL, UnitKind.COMMUNITY, UnitKind.ENTERPRISE)
MAX_TREND_DAYS = 366


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    audience: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    # One contest or event (its page): the entries it reported.
    page_id: int | None = None

    def entries(self, entries):
        if self.page_id:
            entries = entries.filter(page_id=self.page_id)
        if self.kind:
            entries = entries.filter(unit__kind=self.kind)
        if self.audience:
            entries = entries.filter(audience=self.audience)
        if self.date_from:
            entries = entries.filter(occurred_on__gte=self.date_from)
        if self.date_to:
            entries = entries.filter(occurred_on__lte=self.date_to)
        return entries

    def headcounts(self, headcounts):
        if self.kind:
            headcounts = headcounts.filter(unit__kind=self.kind)
        if self.audience:
            headcounts = headcounts.filter(audience=self.audience)
        return headcounts


def _percent(part, whole):
    return 100 * part / whole if whole else None


@dataclass
class Figures:
    """The numbers of one unit (``own``) or one subtree. Everything here adds up."""

    entries: int = 0
    participants: int = 0
    contest_people: int = 0
    sheets: int = 0
    score_percent_total: float = 0.0
    passed_sheets: int = 0
    full_marks_sheets: int = 0
    registrations: int = 0
    registered_people: int = 0
    checked_in_people: int = 0
    attendance_people: int = 0
    activity_people: int = 0
    expected: int = 0
    # Member units in the subtree with no expected headcount (of the filtered audience).
    units_without_headcount: int = 0
    participants_by_audience: dict = field(default_factory=dict)
    expected_by_audience: dict = field(default_factory=dict)

    _ADDITIVE = (
        "entries",
        "participants",
        "contest_people",
        "sheets",
        "score_percent_total",
        "passed_sheets",
        "full_marks_sheets",
        "registrations",
        "registered_people",
        "checked_in_people",
        "attendance_people",
        "activity_people",
        "expected",
        "units_without_headcount",
    )

    def add(self, other: "Figures") -> "Figures":
        for name in self._ADDITIVE:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in ("participants_by_audience", "expected_by_audience"):
            mine = getattr(self, name)
            for audience, value in getattr(other, name).items():
                mine[audience] = mine.get(audience, 0) + value
        return self

    def copy(self) -> "Figures":
        return Figures().add(self)

    @property
    def rate(self):
        """Participants per expected headcount in percent; None when there is no headcount."""
        return _percent(self.participants, self.expected)

    @property
    def missing_denominator(self):
        return self.expected == 0

    @property
    def over_full(self):
        return self.rate is not None and self.rate > 100

    @property
    def mean_score(self):
        return self.score_percent_total / self.sheets if self.sheets else None

    @property
    def pass_rate(self):
        return _percent(self.passed_sheets, self.sheets)

    @property
    def reached_parts(self):
        """What ``participants`` is made of (individual check-ins that are also sheet takers count
        once in the total, so the parts may add up to a little more)."""
        return {
            "contest": self.contest_people,
            "checkin": self.checked_in_people,
            "attendance": self.attendance_people,
            "activity": self.activity_people,
        }

    def audience_rows(self):
        audiences = sorted(set(self.participants_by_audience) | set(self.expected_by_audience))
        return [
            {
                "audience": audience,
                "participants": self.participants_by_audience.get(audience, 0),
                "expected": self.expected_by_audience.get(audience, 0),
                "rate": _percent(
                    self.participants_by_audience.get(audience, 0), self.expected_by_audience.get(audience, 0)
                ),
            }
            for audience in audiences
        ]


@dataclass
class UnitReport:
    """A unit with its own figures and the figures of its whole subtree."""

    unit: Unit | None
    own: Figures
    total: Figures
    children: list["UnitReport"] = field(default_factory=list)
    parent: "UnitReport | None" = None

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def is_member(self):
        return self.unit is not None and self.unit.kind in MEMBER_KINDS

    @property
    def town(self):
        node = self
        while node is not None and node.unit is not None:
            if node.unit.kind == UnitKind.TOWN:
                return node.unit
            node = node.parent
        return None


@dataclass
class Report:
    """The whole tree for one campaign and filter set. ``scope`` is the city or a unit's node;
    ``unassigned`` holds entries with no unit (registrations of the public), counted in the city."""

    campaign: Campaign
    filters: Filters
    roots: list[UnitReport]
    unassigned: Figures
    by_unit_id: dict

    @property
    def city(self) -> Figures:
        total = self.unassigned.copy()
        for root in self.roots:
            total.add(root.total)
        return total

    def node(self, unit) -> UnitReport | None:
        return self.by_unit_id.get(getattr(unit, "pk", unit))

    def nodes(self, unit=None):
        if unit is None:
            for root in self.roots:
                yield from root.walk()
        else:
            node = self.node(unit)
            if node is not None:
                yield from node.walk()

    def figures(self, unit=None) -> Figures:
        if unit is None or self._is_root(unit):
            return self.city
        node = self.node(unit)
        return node.total if node else Figures()

    def _is_root(self, unit):
        node = self.node(unit)
        return node is not None and node.parent is None and len(self.roots) == 1

    def unit_ids(self, unit=None):
        """Ids of the units in the subtree, or None for the city (no filter: includes entries with no unit)."""
        if unit is None or self._is_root(unit):
            return None
        return [node.unit.pk for node in self.nodes(unit)]


def _entries(campaign, filters):
    return filters.entries(ParticipationEntry.objects.filter(campaign=campaign))


def _reads_ledger(filters):
    """A date range or one contest/event needs the ledger: distinct people over a part of the
    campaign are not a sum of the per-unit totals the rollups keep."""
    return filters.date_from is not None or filters.date_to is not None or filters.page_id is not None


def _sums(campaign, filters, ledger_sums, rollup_rows, unit_ids=None):
    """Rows of one shape (rollups.py) from the rollups, or from the ledger under a date range."""

    def scope(queryset):
        queryset = filters.entries(queryset.filter(campaign=campaign))
        return queryset if unit_ids is None else queryset.filter(unit_id__in=unit_ids)

    if _reads_ledger(filters):
        return ledger_sums(scope(ParticipationEntry.objects.all()))
    if services.rollups_are_stale(campaign=campaign):
        # Derived data brought up to date before it is read, so a report never lags the ledger.
        services.refresh_rollups(campaign=campaign)
    return rollup_rows(scope)


def _own_figures(campaign, filters):
    """Per unit id (None for no unit): its own Figures, from three grouped queries."""
    own = defaultdict(Figures)
    for row in _sums(campaign, filters, rollups.channel_sums, rollups.channel_rows):
        figures = own[row["unit_id"]]
        figures.entries += row["rows"]
        channel = row["channel"]
        if channel == Channel.CONTEST:
            figures.sheets += row["rows"]
            figures.contest_people += row["keyed_people"]
            figures.score_percent_total += row["score_percent_total"]
            figures.passed_sheets += row["passed_rows"]
            figures.full_marks_sheets += row["full_marks_rows"]
        elif channel == Channel.EVENT_REGISTRATION:
            figures.registrations += row["rows"]
            figures.registered_people += row["people"]
        elif channel == Channel.EVENT_CHECKIN:
            figures.checked_in_people += row["people"]
        elif channel == Channel.EVENT_ATTENDANCE:
            figures.attendance_people += row["people"]
        elif channel == Channel.ACTIVITY:
            figures.activity_people += row["people"]

    # Participants: distinct keys across the channels (one person who answered and checked in
    # counts once) plus the people of entries without a key.
    for row in _sums(campaign, filters, rollups.reach_sums, rollups.reach_rows):
        figures = own[row["unit_id"]]
        figures.participants += row["participants"]
        figures.participants_by_audience[row["audience"]] = (
            figures.participants_by_audience.get(row["audience"], 0) + row["participants"]
        )

    headcounts = (
        filters.headcounts(Headcount.objects.filter(campaign=campaign))
        .order_by()
        .values("unit_id", "audience")
        .annotate(expected=Sum("expected"))
    )
    for row in headcounts:
        figures = own[row["unit_id"]]
        figures.expected += row["expected"]
        figures.expected_by_audience[row["audience"]] = (
            figures.expected_by_audience.get(row["audience"], 0) + row["expected"]
        )
    return own


def campaign_report(*, campaign, filters=None) -> Report:
    """The figures of every unit of the tree and every subtree, for one campaign: four queries."""
    filters = filters or Filters()
    own = _own_figures(campaign, filters)
    by_unit_id = {}

    def build(node, parent):
        unit = node.unit
        mine = own.get(unit.pk) or Figures()
        report = UnitReport(unit=unit, own=mine, total=mine.copy(), parent=parent)
        counts_as_member = unit.kind in MEMBER_KINDS and (not filters.kind or unit.kind == filters.kind)
        if counts_as_member and mine.expected == 0:
            report.own.units_without_headcount = 1
            report.total.units_without_headcount = 1
        by_unit_id[unit.pk] = report
        for child in node.children:
            child_report = build(child, report)
            report.children.append(child_report)
            report.total.add(child_report.total)
        return report

    roots = [build(root, None) for root in unit_tree()]
    return Report(
        campaign=campaign, filters=filters, roots=roots, unassigned=own.get(None) or Figures(), by_unit_id=by_unit_id
    )


def figures_for(*, campaign, unit=None, filters=None) -> Figures:
    return campaign_report(campaign=campaign, filters=filters).figures(unit)


def child_rows(report: Report, unit=None):
    """The rows one level down from the scope (the city's towns and bodies; a town's units), each
    (UnitReport, Figures). At the city, a last row holds entries that name no unit."""
    if unit is None or report._is_root(unit):
        nodes = [child for root in report.roots for child in root.children]
        rows = [(node, node.total) for node in nodes]
        for root in report.roots:
            if root.own.entries or root.own.expected:
                rows.append((root, root.own))
        return rows
    node = report.node(unit)
    return [(child, child.total) for child in node.children] if node else []


def totals_by_kind(report: Report, unit=None):
    """Per unit kind in the scope: the sum of the own figures of units of that kind."""
    totals = {}
    for node in report.nodes(unit):
        if node.unit.kind in MEMBER_KINDS:
            totals.setdefault(node.unit.kind, Figures()).add(node.own)
    return [(kind, totals[kind]) for kind in MEMBER_KINDS if kind in totals]


def totals_by_town(report: Report):
    return [(node, node.total) for root in report.roots for node in root.children if node.unit.kind == UnitKind.TOWN]


def rankings(report: Report, unit=None, *, kind, limit=10):
    """Units of ``kind`` in the scope, best first, by rate and by mean score. Units with no
    headcount (or no sheets) are left out of that ranking; ``unranked`` counts them."""
    scope = report.node(unit) if unit is not None else None
    nodes = [node for node in report.nodes(unit) if node.unit.kind == kind and node is not scope]
    by_rate = sorted((n for n in nodes if n.total.rate is not None), key=lambda n: (-n.total.rate, n.unit.name))
    by_score = sorted(
        (n for n in nodes if n.total.mean_score is not None), key=lambda n: (-n.total.mean_score, n.unit.name)
    )
    return {
        "kind": kind,
        "by_rate": by_rate[:limit],
        "by_score": by_score[:limit],
        "unranked_rate": len(nodes) - len(by_rate),
        "unranked_score": len(nodes) - len(by_score),
    }


def coverage(report: Report, unit=None):
    """Active member units in the scope with no entry at all, and the towns with most of them."""
    kind = report.filters.kind
    missing = [
        node
        for node in report.nodes(unit)
        if node.is_member and node.unit.is_active and (not kind or node.unit.kind == kind) and node.total.entries == 0
    ]
    missing.sort(key=lambda node: (node.town.name if node.town else "", node.unit.kind, node.unit.name))
    per_town = defaultdict(int)
    for node in missing:
        per_town[node.town] += 1
    towns = sorted(per_town.items(), key=lambda item: (-item[1], item[0].name if item[0] else ""))
    return {
        "units": [
            {
                "unit": node.unit,
                "town": node.town,
                "expected": node.total.expected,
                "liaison_name": getattr(node.unit, "liaison_name", ""),
                "liaison_phone": getattr(node.unit, "liaison_phone", ""),
            }
            for node in missing
        ],
        "towns": [{"town": town, "units": count} for town, count in towns],
    }


def daily_trend(report: Report, unit=None):
    """Day by day over the campaign (or the filtered dates): sheets and people of each channel."""
    campaign, filters = report.campaign, report.filters
    start = max(filters.date_from or campaign.starts_on, campaign.starts_on - datetime.timedelta(days=MAX_TREND_DAYS))
    end = filters.date_to or campaign.ends_on
    # The day rollup answers any date range; the days outside the trend's window are dropped here.
    undated = replace(filters, date_from=None, date_to=None)
    rows = _sums(campaign, undated, rollups.day_sums, rollups.day_rows, report.unit_ids(unit))
    days = {}
    for row in rows:
        if not start <= row["occurred_on"] <= end:
            continue
        day = days.setdefault(row["occurred_on"], {"sheets": 0, "checkins": 0, "attendance": 0, "activity": 0})
        channel = row["channel"]
        if channel == Channel.CONTEST:
            day["sheets"] += row["rows"]
        elif channel == Channel.EVENT_CHECKIN:
            day["checkins"] += row["people"]
        elif channel == Channel.EVENT_ATTENDANCE:
            day["attendance"] += row["people"]
        elif channel == Channel.ACTIVITY:
            day["activity"] += row["people"]
    trend = []
    day = start
    while day <= end and len(trend) < MAX_TREND_DAYS:
        values = days.get(day, {"sheets": 0, "checkins": 0, "attendance": 0, "activity": 0})
        trend.append({"day": day, **values, "total": sum(values.values())})
        day += datetime.timedelta(days=1)
    return trend


def _topic_rows(tally):
    rows = [
        {"topic_id": int(topic_id), "correct": correct, "total": total, "rate": 100 * correct / total}
        for topic_id, (correct, total) in tally.items()
        if total
    ]
    return sorted(rows, key=lambda row: (row["rate"], -row["total"], row["topic_id"]))


def weak_topics(report: Report, unit=None, *, limit=5):
    """Correct rate by topic over the scope's answer sheets, weakest first: overall, per unit
    kind, and per unit of the scope. One query over the topic rollup (rows: units × topics)."""
    overall = defaultdict(lambda: [0, 0])
    per_kind = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    per_unit = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    rows = _sums(report.campaign, report.filters, rollups.topic_sums, rollups.topic_rows, report.unit_ids(unit))
    for row in rows:
        node = report.node(row["unit_id"])
        kind = node.unit.kind if node else None
        topic_id = row["topic_id"]
        for tally in (overall[topic_id], per_kind[kind][topic_id], per_unit[row["unit_id"]][topic_id]):
            tally[0] += row["correct"]
            tally[1] += row["total"]
    return {
        "overall": _topic_rows(overall)[:limit],
        "by_kind": [(kind, _topic_rows(per_kind[kind])[:limit]) for kind in UnitKind.values if kind in per_kind],
        "by_unit": {unit_id: _topic_rows(tally)[:limit] for unit_id, tally in per_unit.items()},
    }


def class_breakdown(report: Report, unit):
    """A school's numbers by class: people, sheets, mean score and pass rate (no expected
    headcount exists per class). One query."""
    rows = (
        _entries(report.campaign, report.filters)
        .filter(unit=unit, channel=Channel.CONTEST)
        .order_by()
        .values("class_name")
        .annotate(
            people=Count("person_key", distinct=True),
            sheets=Count("pk"),
            score_percent=Sum(Cast("score", FloatField()) * 100.0 / Cast("max_score", FloatField())),
            passed=Count("pk", filter=Q(passed=True)),
            full=Count("pk", filter=Q(full_marks=True)),
        )
        .order_by("class_name")
    )
    return [
        {
            "class_name": row["class_name"],
            "people": row["people"],
            "sheets": row["sheets"],
            "mean_score": (row["score_percent"] or 0) / row["sheets"] if row["sheets"] else None,
            "pass_rate": _percent(row["passed"], row["sheets"]),
            "full_marks": row["full"],
        }
        for row in rows
    ]


def reporting_pages(*, campaign):
    """The contests and events (their pages) that reported into the campaign, by title."""
    reported = ParticipationEntry.objects.filter(campaign=campaign, page__isnull=False).values("page_id")
    return list(Page.objects.filter(pk__in=reported).select_related("content_type").order_by("title"))


def campaigns():
    return list(Campaign.objects.all())


def default_campaign():
    return Campaign.objects.first()


def campaign_by_id(*, pk):
    return Campaign.objects.filter(pk=pk).first()


def dashboard(*, campaign, unit=None, filters=None):
    """Everything the admin dashboard shows for a campaign and a scope, in a fixed number of queries."""
    report = campaign_report(campaign=campaign, filters=filters)
    node = report.node(unit) if unit is not None else None
    scope_unit = None if unit is None or report._is_root(unit) else unit
    is_school = scope_unit is not None and scope_unit.kind == UnitKind.SCHOOL
    return {
        "report": report,
        "figures": report.figures(scope_unit),
        "node": node,
        "children": child_rows(report, scope_unit),
        "unassigned": report.unassigned if scope_unit is None else None,
        "by_kind": totals_by_kind(report, scope_unit),
        "by_town": totals_by_town(report) if scope_unit is None else [],
        "trend": daily_trend(report, scope_unit),
        "rankings": [
            rankings(report, scope_unit, kind=kind)
            for kind in RANKED_KINDS
            if any(n.unit.kind == kind and n is not node for n in report.nodes(scope_unit))
        ],
        "coverage": coverage(report, scope_unit),
        "weak_topics": weak_topics(report, scope_unit),
        "classes": class_breakdown(report, scope_unit) if is_school else [],
    }
