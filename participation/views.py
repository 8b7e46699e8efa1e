"""The public side of the ledger: a page per campaign with participation rates by town and by unit
kind, shown only when the campaign's ``public_report`` is on (off by default).

Only aggregates reach the template: towns, unit kinds and the city, as counts and rates. No unit
below town level is named and nothing personal (participant names, classes, liaisons) is read.
The page is anonymous and sets no cookie, so the site's anonymous page cache may keep it for
``PAGE_CACHE_SECONDS``; its figures can be that much behind the ledger.
"""

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.errors import ReaderFacingNotFound
from core.parsing import parse_id
from organizations.models import UnitKind

from . import selectors

# Phone-first geometry for the public bar charts (viewBox units ≈ CSS px at 375 px wide): the label
# sits above its bar, so long town names need no side column and the text stays readable.
CHART_WIDTH = 360
CHART_ROW = 48
CHART_BAR_HEIGHT = 14
CHART_VALUE_WIDTH = 76
CHART_LABEL_CHARS = 22
RATE_REFERENCE = 100


def _rate_display(rate):
    return _("无法计算") if rate is None else f"{rate:.1f}%"


def _notes(figures):
    """The data problems of a row, in words (never hidden, rates never capped)."""
    notes = []
    if figures.missing_denominator:
        notes.append(_("未填应参与人数，无法计算参与率"))
    elif figures.units_without_headcount:
        notes.append(_("其中 %(count)s 个单位未填应参与人数") % {"count": figures.units_without_headcount})
    if figures.over_full:
        notes.append(_("超过100%，请核对应参与人数"))
    return notes


def _row(label, figures):
    return {
        "label": label,
        "participants": figures.participants,
        "expected": figures.expected,
        "rate": figures.rate,
        "rate_display": _rate_display(figures.rate),
        "notes": _notes(figures),
        "flagged": figures.missing_denominator or figures.over_full,
    }


def _short(label):
    return label if len(label) <= CHART_LABEL_CHARS else label[: CHART_LABEL_CHARS - 1] + "…"


def rate_chart(rows):
    """Horizontal bars of the rows' rates, one row per label, with a line at 100 %: a rate over
    100 % is drawn past the line (the scale grows), never capped; a row with no rate has no bar."""
    area = CHART_WIDTH - CHART_VALUE_WIDTH
    scale = max([row["rate"] for row in rows if row["rate"] is not None] + [RATE_REFERENCE])
    bars = []
    for index, row in enumerate(rows):
        top = index * CHART_ROW
        width = 0 if row["rate"] is None else round(area * row["rate"] / scale, 1)
        bars.append(
            {
                "label": row["label"],
                "short_label": _short(row["label"]),
                "display": row["rate_display"],
                "notes": row["notes"],
                "has_bar": row["rate"] is not None,
                "flagged": row["flagged"],
                "label_y": top + 17,
                "bar_y": top + 24,
                "width": width,
                "value_x": round(width + 6, 1) if row["rate"] is not None else 0,
                "value_y": top + 36,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(bars), 1) * CHART_ROW,
        "bar_height": CHART_BAR_HEIGHT,
        "reference_x": round(area * RATE_REFERENCE / scale, 1),
    }


def _public_campaign(raw_id):
    message = _("没有找到这项活动的公开参与情况。")
    pk = parse_id(raw_id)
    if pk is None:
        raise ReaderFacingNotFound(message)
    campaign = selectors.campaign_by_id(pk=pk)
    if campaign is None or not campaign.public_report:
        raise ReaderFacingNotFound(message)
    return campaign


@require_safe
def public_index(request):
    """The campaigns whose participation is public, newest first."""
    public = [campaign for campaign in selectors.campaigns() if campaign.public_report]
    return TemplateResponse(request, "participation/public_report.html", {"campaigns": public, "listing": True})


@require_safe
def public_report(request, campaign_id):
    campaign = _public_campaign(campaign_id)
    report = selectors.campaign_report(campaign=campaign)
    towns = [_row(node.unit.name, figures) for node, figures in selectors.totals_by_town(report)]
    kinds = [_row(UnitKind(kind).label, figures) for kind, figures in selectors.totals_by_kind(report)]
    return TemplateResponse(
        request,
        "participation/public_report.html",
        {
            "campaign": campaign,
            "city": _row(_("全市"), report.city),
            "towns": towns,
            "kinds": kinds,
            "town_chart": rate_chart(towns),
            "kind_chart": rate_chart(kinds),
        },
    )
