"""What each export of the 参与情况 dashboard holds: for a table key, its label and its rows (a
header and an iterable of lists of values; core.exports writes every value as text).

The dashboard's tables come from ``selectors.dashboard``, so a file shows exactly the numbers of the
page it was asked from; the ledger (参与记录明细) streams the entries of the scope straight from the
database in chunks, one row per entry, without names or person keys (the ledger holds no names; the
序号 is the row's number in this file and links to nothing). Liaisons' names and phones are masked.
Percentages are written as numbers (the header says %), empty where the dashboard shows —.
"""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.privacy import mask_name, mask_phone
from organizations.models import AudienceGroup, UnitKind
from organizations.scopes import subtree_q

from . import selectors
from .admin_views import BadParameter, rate_flag
from .choices import Channel
from .models import ParticipationEntry
from .reading import topic_reading

LEDGER_CHUNK = 2000


@dataclass(frozen=True)
class Scope:
    campaign: object
    unit: object  # None: the whole city
    filters: selectors.Filters


def _number(value):
    return "" if value is None else f"{value:.1f}"


def _town_name(town):
    return town.name if town is not None else _("市直")


FIGURE_HEADER = [
    gettext_lazy("参与人数"),
    gettext_lazy("应参与人数"),
    gettext_lazy("参与率（%）"),
    gettext_lazy("说明"),
    gettext_lazy("答卷数"),
    gettext_lazy("平均得分率（%）"),
    gettext_lazy("及格率（%）"),
    gettext_lazy("签到人数"),
    gettext_lazy("登记参加人数"),
    gettext_lazy("宣传活动人数"),
]


def _figure_cells(figures):
    return [
        figures.participants,
        "" if figures.missing_denominator else figures.expected,
        _number(figures.rate),
        rate_flag(figures),
        figures.sheets,
        _number(figures.mean_score),
        _number(figures.pass_rate),
        figures.checked_in_people,
        figures.attendance_people,
        figures.activity_people,
    ]


def _audiences(data):
    header = [_("对象"), _("参与人数"), _("应参与人数"), _("参与率（%）")]
    rows = [
        [
            AudienceGroup(row["audience"]).label if row["audience"] in AudienceGroup.values else row["audience"],
            row["participants"],
            row["expected"] or "",
            _number(row["rate"]),
        ]
        for row in data["figures"].audience_rows()
    ]
    return header, rows


def _children(data):
    header = [_("单位"), _("类型"), *FIGURE_HEADER]
    rows = []
    for node, figures in data["children"]:
        # The city's own entries, listed after its towns, as on the dashboard.
        label = _("市直（直接记在市级的记录）") if node.parent is None else node.unit.name
        rows.append([label, node.unit.get_kind_display(), *_figure_cells(figures)])
    unassigned = data["unassigned"]
    if unassigned is not None and unassigned.entries:
        rows.append([_("未填写单位（公众报名）"), "", *_figure_cells(unassigned)])
    return header, rows


def _kinds(data):
    header = [_("单位类型"), *FIGURE_HEADER]
    return header, [[UnitKind(kind).label, *_figure_cells(figures)] for kind, figures in data["by_kind"]]


def _towns(data):
    header = [_("镇街"), *FIGURE_HEADER]
    return header, [[node.unit.name, *_figure_cells(figures)] for node, figures in data["by_town"]]


def _classes(data):
    header = [_("班级"), _("答卷人数"), _("答卷数"), _("平均得分率（%）"), _("及格率（%）"), _("满分答卷")]
    rows = [
        [
            row["class_name"] or _("未填班级"),
            row["people"],
            row["sheets"],
            _number(row["mean_score"]),
            _number(row["pass_rate"]),
            row["full_marks"],
        ]
        for row in data["classes"]
    ]
    return header, rows


def _trend(data):
    header = [_("日期"), _("答卷数"), _("签到"), _("登记参加"), _("宣传活动"), _("合计")]
    rows = [
        [day["day"].isoformat(), day["sheets"], day["checkins"], day["attendance"], day["activity"], day["total"]]
        for day in data["trend"]
    ]
    return header, rows


def _rankings(data):
    header = [_("单位类型"), _("排名依据"), _("名次"), _("单位"), _("所属镇街"), _("数值（%）")]
    rows = []
    for ranking in data["rankings"]:
        kind = UnitKind(ranking["kind"]).label
        for basis, nodes, value in (
            (_("参与率"), ranking["by_rate"], lambda node: node.total.rate),
            (_("平均得分率"), ranking["by_score"], lambda node: node.total.mean_score),
        ):
            for place, node in enumerate(nodes, start=1):
                rows.append([kind, basis, place, node.unit.name, _town_name(node.town), _number(value(node))])
    return header, rows


def _coverage(data):
    header = [_("单位"), _("类型"), _("所属镇街"), _("应参与人数"), _("联系人"), _("联系电话")]
    rows = [
        [
            row["unit"].name,
            row["unit"].get_kind_display(),
            _town_name(row["town"]),
            row["expected"] or "",
            mask_name(row["liaison_name"]) if row["liaison_name"] else "",
            mask_phone(row["liaison_phone"]) if row["liaison_phone"] else "",
        ]
        for row in data["coverage"]["units"]
    ]
    return header, rows


def _coverage_towns(data):
    header = [_("镇街"), _("未参与单位数")]
    return header, [[_town_name(row["town"]), row["units"]] for row in data["coverage"]["towns"]]


def _topics(data):
    weak = data["weak_topics"]
    groups = [(_("全部"), weak["overall"])] + [(UnitKind(kind).label, rows) for kind, rows in weak["by_kind"]]
    topics, reading = topic_reading(sorted({row["topic_id"] for _group, rows in groups for row in rows}))
    header = [_("范围"), _("主题"), _("答对率（%）"), _("答对题数"), _("作答题数"), _("推荐阅读")]
    rows = [
        [
            group,
            topics[row["topic_id"]].name if row["topic_id"] in topics else _("（已删除的主题）"),
            _number(row["rate"]),
            row["correct"],
            row["total"],
            "；".join(article["title"] for article in reading.get(row["topic_id"], [])),
        ]
        for group, rows in groups
        for row in rows
    ]
    return header, rows


def ledger_entries(scope):
    """The scope's entries as the dashboard counts them (campaign, subtree, filters), oldest first."""
    entries = scope.filters.entries(ParticipationEntry.objects.filter(campaign=scope.campaign))
    if scope.unit is not None:
        entries = entries.filter(subtree_q(scope.unit, "unit__"))
    return entries.order_by("occurred_at", "pk")


LEDGER_FIELDS = (
    "occurred_at",
    "unit__name",
    "unit__town__name",
    "unit__kind",
    "channel",
    "audience",
    "class_name",
    "people",
    "score",
    "max_score",
    "passed",
)


def _ledger(scope):
    header = [
        _("序号"),
        _("时间"),
        _("单位"),
        _("所属镇街"),
        _("单位类型"),
        _("渠道"),
        _("对象"),
        _("班级"),
        _("人数"),
        _("得分"),
        _("满分"),
        _("及格"),
    ]
    entries = ledger_entries(scope)
    return header, _ledger_rows(entries), entries.count()


def _ledger_rows(entries):
    kinds = {value: str(label) for value, label in UnitKind.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    audiences = {value: str(label) for value, label in AudienceGroup.choices}
    no_unit, city_level = _("未填写单位"), _("市直")
    tz = timezone.get_current_timezone()
    rows = entries.values_list(*LEDGER_FIELDS).iterator(chunk_size=LEDGER_CHUNK)
    for number, (
        moment,
        unit,
        town,
        kind,
        channel,
        audience,
        class_name,
        people,
        score,
        max_score,
        passed,
    ) in enumerate(rows, start=1):
        yield [
            number,
            moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            unit or no_unit,
            town or ("" if unit is None else city_level),
            kinds.get(kind, ""),
            channels.get(channel, channel),
            audiences.get(audience, audience),
            class_name,
            people,
            score,
            max_score,
            passed,
        ]


def _from_dashboard(rows):
    """A table of the dashboard: ``rows(data)`` over ``selectors.dashboard`` for the scope."""

    def build(scope):
        header, table_rows = rows(selectors.dashboard(campaign=scope.campaign, unit=scope.unit, filters=scope.filters))
        return header, table_rows, len(table_rows)

    return build


@dataclass(frozen=True)
class Table:
    key: str
    label: object
    build: object  # Scope → (header, rows, number of rows)
    # Where the dashboard shows the table: a test on the scope's unit, and the refusal elsewhere.
    shown_for: object = None
    not_shown_message: object = ""


def _is_school(unit):
    return unit is not None and unit.kind == UnitKind.SCHOOL


TABLES = {
    table.key: table
    for table in (
        Table("audiences", gettext_lazy("按参与对象"), _from_dashboard(_audiences)),
        Table("children", gettext_lazy("下属单位"), _from_dashboard(_children)),
        Table(
            "towns",
            gettext_lazy("各镇街汇总"),
            _from_dashboard(_towns),
            shown_for=lambda unit: unit is None,
            not_shown_message=gettext_lazy("各镇街汇总只能在全市范围导出。"),
        ),
        Table("kinds", gettext_lazy("按单位类型"), _from_dashboard(_kinds)),
        Table(
            "classes",
            gettext_lazy("按班级"),
            _from_dashboard(_classes),
            shown_for=_is_school,
            not_shown_message=gettext_lazy("按班级统计只有学校才有，请先在参与情况中进入一所学校。"),
        ),
        Table("trend", gettext_lazy("每日趋势"), _from_dashboard(_trend)),
        Table("rankings", gettext_lazy("排名"), _from_dashboard(_rankings)),
        Table("coverage", gettext_lazy("未参与单位"), _from_dashboard(_coverage)),
        Table("coverage_towns", gettext_lazy("各镇街未参与单位数"), _from_dashboard(_coverage_towns)),
        Table("topics", gettext_lazy("薄弱主题"), _from_dashboard(_topics)),
        Table("ledger", gettext_lazy("参与记录明细"), _ledger),
    )
}


def table_for(key, unit):
    """The Table for ``key`` where the scope is ``unit``; BadParameter (400) for an unknown key or a
    table the dashboard does not show there."""
    table = TABLES.get(key)
    if table is None:
        raise BadParameter(_("没有这个表格，请用参与情况页面上的导出按钮导出。"))
    if table.shown_for is not None and not table.shown_for(unit):
        raise BadParameter(table.not_shown_message)
    return table


def scope_label(scope):
    """The scope in words for the audit log, the export list and the file name, e.g.
    水集街道，学生，2026-06-01至2026-06-10."""
    filters = scope.filters
    parts = [scope.unit.name if scope.unit is not None else _("全市")]
    if filters.kind:
        parts.append(UnitKind(filters.kind).label)
    if filters.audience:
        parts.append(AudienceGroup(filters.audience).label)
    if filters.date_from or filters.date_to:
        parts.append(
            _("%(start)s至%(end)s")
            % {
                "start": filters.date_from.isoformat() if filters.date_from else _("活动开始"),
                "end": filters.date_to.isoformat() if filters.date_to else _("活动结束"),
            }
        )
    return "，".join(str(part) for part in parts)
