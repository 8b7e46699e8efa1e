"""The 参与情况 dashboard in the Wagtail admin: one campaign's figures for the city or a unit's
subtree, drilled down city → town → unit → class with ``?unit=<id>``, filtered by unit kind,
audience and dates. Read-only; needs ``participation.view_report`` (or the view permission on
参与记录). Topic names and the 推荐阅读 articles come from home here, never in the ledger."""

import datetime
import re
from itertools import zip_longest
from urllib.parse import urlencode

from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ReaderFacingError
from core.parsing import parse_id
from core.replica import reads_from_replica
from organizations.models import AudienceGroup, Unit, UnitKind
from organizations.scopes import OUT_OF_SCOPE_MESSAGE, scope_unit, within_scope

from . import charts, outlets, selectors
from .reading import topic_reading
from .selectors import Filters

VIEW_PERMISSIONS = ("participation.view_report", "participation.view_participationentry")
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FILTER_KINDS = [kind for kind in UnitKind if kind not in (UnitKind.CITY, UnitKind.TOWN)]
# The query string every report of the ledger reads (the dashboard, the 通报, the exports).
QUERY_KEYS = ("campaign", "unit", "kind", "audience", "page", "from", "to")
FILTER_KEYS = ("kind", "audience", "page", "from", "to")


def can_view_report(user):
    return user.is_active and any(user.has_perm(permission) for permission in VIEW_PERMISSIONS)


class BadParameter(ReaderFacingError):
    status = 400
    default_message = gettext_lazy("筛选条件无效。")


class Forbidden(ReaderFacingError):
    status = 403
    default_message = gettext_lazy("您没有查看参与情况的权限，请联系管理员开通“可以查看参与情况统计”。")


class OutOfScope(ReaderFacingError):
    status = 403
    default_message = OUT_OF_SCOPE_MESSAGE


class NotReady(ReaderFacingError):
    status = 409
    default_message = gettext_lazy("这个导出还没有完成，完成后才能下载。")


class NotFound(ReaderFacingError):
    status = 404
    default_message = gettext_lazy("没有找到。")


def _parse_date(params, name, label):
    value = params.get(name, "")
    if not value:
        return None
    if not DATE_PATTERN.fullmatch(value):
        raise BadParameter(_("%(label)s应写成 2026-06-01 这样的日期。") % {"label": label})
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise BadParameter(_("%(label)s“%(value)s”不是有效的日期。") % {"label": label, "value": value}) from None


def _parse_choice(params, name, values, message):
    value = params.get(name, "")
    if value and value not in values:
        raise BadParameter(message)
    return value


def parse_request(params):
    """(campaign, unit or None, Filters) from the query string; BadParameter (400) or NotFound (404)."""
    if "campaign" in params:
        campaign_id = parse_id(params["campaign"])
        campaign = selectors.campaign_by_id(pk=campaign_id) if campaign_id else None
        if campaign is None:
            raise NotFound(_("没有找到这个宣传活动。"))
    else:
        campaign = selectors.default_campaign()
        if campaign is None:
            raise NotFound(_("还没有宣传活动，请先在“单位 → 宣传活动”中添加。"))
    unit = None
    if params.get("unit", ""):
        unit_id = parse_id(params["unit"])
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
        if unit is None:
            raise NotFound(_("没有找到这个单位。"))
    page_id = None
    if params.get("page", ""):
        page_id = parse_id(params["page"])
        if page_id is None or page_id not in {page.pk for page in selectors.reporting_pages(campaign=campaign)}:
            raise NotFound(_("这个宣传活动中没有找到这项答题或活动。"))
    filters = Filters(
        page_id=page_id,
        kind=_parse_choice(params, "kind", [kind.value for kind in FILTER_KINDS], _("单位类型无效。")),
        audience=_parse_choice(params, "audience", AudienceGroup.values, _("参与对象无效。")),
        date_from=_parse_date(params, "from", _("开始日期")),
        date_to=_parse_date(params, "to", _("结束日期")),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise BadParameter(_("开始日期不能晚于结束日期。"))
    return campaign, unit, filters


def unit_in_scope(user, unit):
    """The unit a report is about for ``user``: a scoped account (a liaison) starts at its own unit
    when none is asked for and may not ask for one outside its scope (OutOfScope, 403). Every staff
    report of the ledger (the dashboard, the 通报, exports) goes through this."""
    scope = scope_unit(user)
    if scope is None:
        return unit
    if unit is None:
        return scope
    if not within_scope(user, unit):
        raise OutOfScope()
    return unit


def _percent(value):
    return "—" if value is None else f"{value:.1f}%"


def _query(params, **changes):
    merged = {key: params.get(key, "") for key in QUERY_KEYS}
    merged.update({key: "" if value is None else str(value) for key, value in changes.items()})
    return "?" + urlencode({key: value for key, value in merged.items() if value})


def rate_flag(figures):
    if figures.missing_denominator:
        return _("未填应参与人数")
    if figures.over_full:
        return _("超过100%")
    return ""


def _breadcrumbs(node, params, scope=None):
    """全市 → town → unit; for a scoped account the trail starts at its own unit."""
    trail = []
    while node is not None:
        trail.append(node)
        if scope is not None and node.unit.pk == scope.pk:
            break
        node = node.parent
    crumbs = [] if scope is not None else [{"label": _("全市"), "href": _query(params, unit="")}]
    for item in reversed(trail):
        if item.parent is None and scope is None:
            continue  # the city is 全市
        crumbs.append({"label": item.unit.name, "href": _query(params, unit=item.unit.pk)})
    return crumbs


def _child_rows(children, params):
    rows = []
    for node, figures in children:
        is_own = node.parent is None  # the city's own entries, listed after its towns
        rows.append(
            {
                "label": _("市直（直接记在市级的记录）") if is_own else node.unit.name,
                "kind": node.unit.get_kind_display(),
                "figures": figures,
                "flag": rate_flag(figures),
                "href": "" if is_own else _query(params, unit=node.unit.pk),
            }
        )
    return rows


def _rate_chart(rows):
    return charts.bar_chart(
        [
            {
                "label": row["label"],
                "value": row["figures"].rate,
                "display": _percent(row["figures"].rate) if row["figures"].rate is not None else _("无应参与人数"),
                "href": row["href"],
                "flag": row["flag"],
            }
            for row in rows
        ],
        reference=100,
    )


def _topic_rows(rows, topics, reading):
    return [
        {
            **row,
            "name": topics[row["topic_id"]].name if row["topic_id"] in topics else _("（已删除的主题）"),
            "reading": reading.get(row["topic_id"], []),
        }
        for row in rows
    ]


def render_error(request, error):
    return TemplateResponse(
        request,
        "participation/admin/error.html",
        {
            "message": error.message,
            "back_url": reverse("wagtailadmin_home" if error.status == 403 else "participation_dashboard"),
            "back_label": _("返回管理首页") if error.status == 403 else _("返回参与情况"),
        },
        status=error.status,
    )


@reads_from_replica
def dashboard(request):
    if not can_view_report(request.user):
        # A 403 with the reason, rather than Wagtail's silent redirect to the dashboard.
        return render_error(request, Forbidden())
    params = request.GET
    try:
        campaign, unit, filters = parse_request(params)
        unit = unit_in_scope(request.user, unit)
    except ReaderFacingError as error:
        return render_error(request, error)
    scope = scope_unit(request.user)
    data = selectors.dashboard(campaign=campaign, unit=unit, filters=filters)
    figures = data["figures"]
    child_rows = _child_rows(data["children"], params)

    weak = data["weak_topics"]
    topic_ids = {row["topic_id"] for row in weak["overall"]}
    topic_ids |= {row["topic_id"] for _kind, rows in weak["by_kind"] for row in rows}
    topics, reading = topic_reading(sorted(topic_ids), request=request)
    weak_overall = _topic_rows(weak["overall"], topics, reading)
    weak_by_kind = [
        {"kind": UnitKind(kind).label, "rows": _topic_rows(rows, topics, reading)} for kind, rows in weak["by_kind"]
    ]
    by_kind = [
        {"kind": UnitKind(kind).label, "figures": kind_figures, "flag": rate_flag(kind_figures)}
        for kind, kind_figures in data["by_kind"]
    ]
    trend = data["trend"]
    reporting_pages = selectors.reporting_pages(campaign=campaign)
    outlet_since = filters.date_from or campaign.starts_on
    outlet_until = filters.date_to or campaign.ends_on

    context = {
        "campaign": campaign,
        "campaigns": selectors.campaigns(),
        "unit": unit,
        "filters": filters,
        "params": {key: params.get(key, "") for key in FILTER_KEYS},
        "kinds": [(kind.value, kind.label) for kind in FILTER_KINDS],
        "audiences": AudienceGroup.choices,
        "reporting_pages": [(str(page.pk), f"{page.title}（{page.content_type.name}）") for page in reporting_pages],
        "breadcrumbs": _breadcrumbs(data["node"], params, scope) if unit is not None else [],
        "scope": scope,
        "figures": figures,
        "rate_flag": rate_flag(figures),
        "audience_rows": [
            {
                **row,
                "label": AudienceGroup(row["audience"]).label
                if row["audience"] in AudienceGroup.values
                else row["audience"],
            }
            for row in figures.audience_rows()
        ],
        "child_rows": child_rows,
        "child_chart": _rate_chart(child_rows) if child_rows else None,
        # Entries that name no unit belong to no scope: only unscoped (city) staff see them.
        "unassigned": data["unassigned"] if scope is None else None,
        "by_kind": by_kind,
        "kind_chart": charts.bar_chart(
            [
                {
                    "label": row["kind"],
                    "value": row["figures"].participants,
                    "display": str(row["figures"].participants),
                }
                for row in by_kind
            ]
        )
        if by_kind
        else None,
        "trend": trend,
        "trend_chart": charts.column_chart(
            [{"label": day["day"].strftime("%m-%d"), "value": day["total"]} for day in trend]
        )
        if trend
        else None,
        "rankings": [
            {
                "kind": UnitKind(ranking["kind"]).label,
                "rows": [
                    {
                        "rate": rate and {"node": rate, "href": _query(params, unit=rate.unit.pk)},
                        "score": score and {"node": score, "href": _query(params, unit=score.unit.pk)},
                    }
                    for rate, score in zip_longest(ranking["by_rate"], ranking["by_score"])
                ],
                "unranked_rate": ranking["unranked_rate"],
                "unranked_score": ranking["unranked_score"],
            }
            for ranking in data["rankings"]
        ],
        "coverage": data["coverage"],
        "weak_overall": weak_overall,
        "weak_chart": charts.bar_chart(
            [{"label": row["name"], "value": row["rate"], "display": _percent(row["rate"])} for row in weak_overall],
            reference=100,
        )
        if weak_overall
        else None,
        "weak_by_kind": weak_by_kind,
        "classes": data["classes"],
        "is_school": unit is not None and unit.kind == UnitKind.SCHOOL,
        "clear_filters_url": _query(params, **dict.fromkeys(FILTER_KEYS, "")),
        # What came through each outlet's embed: city-wide figures (a page view has no unit), so on
        # the city's own view only, never for a scoped account (a liaison) or a drilled-down unit.
        "outlets": outlets.outlet_figures(
            since=outlet_since,
            until=outlet_until,
            page=next((page for page in reporting_pages if page.pk == filters.page_id), None),
        )
        if scope is None and unit is None
        else None,
        "outlet_since": outlet_since,
        "outlet_until": outlet_until,
    }
    return TemplateResponse(request, "participation/admin/dashboard.html", context)
