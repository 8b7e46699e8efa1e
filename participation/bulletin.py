"""The 通报 (bulletin) of a campaign over a date range for the city or a unit's subtree: its content
(``build_bulletin``) and the Word file (``render_docx``, python-docx). The print page
(templates/participation/bulletin.html) and the .docx show the same content: the summary, the
table of towns (or a town's units) ranked by rate, the best units, the units not reached with their
liaison, and the weak topics with 推荐阅读 titles.

Every figure comes from ``participation.selectors``; rates are never capped, and a missing
headcount or a rate over 100 % is said in words in both outputs."""

import datetime
import io
from dataclasses import dataclass, field

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from home.models import SiteIdentity
from organizations.models import AudienceGroup, UnitKind

from . import selectors
from .reading import topic_reading

BEST_KINDS = (UnitKind.SCHOOL, UnitKind.COMMUNITY, UnitKind.ENTERPRISE)
BEST_LIMIT = 5
WEAK_LIMIT = 5
DATE_FORMAT = "Y年n月j日"

# Fonts as 党政机关公文 use them; WPS and Word fall back to a system font when one is missing.
TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Row:
    """One line of the ranked table of towns (or of a town's units)."""

    rank: int | None
    name: str
    kind: str
    figures: selectors.Figures
    rate_text: str
    flag: str


@dataclass
class Bulletin:
    title: str
    issuer: str
    issued_on: datetime.date
    campaign: object
    scope_label: str
    period_label: str
    filter_label: str
    figures: selectors.Figures
    summary: list[str]
    table_heading: str
    table_rows: list[Row]
    other_rows: list[Row] = field(default_factory=list)
    best: list[dict] = field(default_factory=list)
    coverage_units: list[dict] = field(default_factory=list)
    coverage_towns: list[dict] = field(default_factory=list)
    weak_topics: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def issued_label(self):
        return dateformat.format(self.issued_on, DATE_FORMAT)

    @property
    def filename(self):
        return f"{self.title}.docx"


def percent(value):
    return "—" if value is None else f"{value:.1f}%"


def rate_flag(figures):
    """A data problem in words; '' when there is none. Never a capped number."""
    if figures.missing_denominator:
        return _("未填应参与人数，无法计算参与率")
    parts = []
    if figures.over_full:
        parts.append(_("超过100%，参与人数多于应参与人数，请核实"))
    if figures.units_without_headcount:
        parts.append(_("其中%(count)d个单位未填应参与人数") % {"count": figures.units_without_headcount})
    return "；".join(parts)


def _period(campaign, filters):
    start = filters.date_from or campaign.starts_on
    end = filters.date_to or campaign.ends_on
    end_label = dateformat.format(end, "n月j日" if start.year == end.year else DATE_FORMAT)
    return start, end, _("%(start)s至%(end)s") % {"start": dateformat.format(start, DATE_FORMAT), "end": end_label}


def _filter_label(filters):
    parts = []
    if filters.kind:
        parts.append(_("单位类型：%(kind)s") % {"kind": UnitKind(filters.kind).label})
    if filters.audience:
        parts.append(_("参与对象：%(audience)s") % {"audience": AudienceGroup(filters.audience).label})
    return "；".join(parts)


def _issuer(site):
    identity = SiteIdentity.for_site(site) if site is not None else None
    if identity is None:
        return ""
    return identity.host_organization or identity.site_name


def _summary(scope_label, period_label, campaign, figures, unassigned):
    values = {
        "period": period_label,
        "scope": scope_label,
        "campaign": campaign.name,
        "participants": figures.participants,
        "expected": figures.expected,
        "rate": percent(figures.rate),
        "sheets": figures.sheets,
        "mean": percent(figures.mean_score),
        "pass_rate": percent(figures.pass_rate),
        "full": figures.full_marks_sheets,
        "registered": figures.registered_people,
        "checkins": figures.checked_in_people,
        "attendance": figures.attendance_people,
        "activity": figures.activity_people,
    }
    if figures.missing_denominator:
        reach = _(
            "%(period)s，%(scope)s共有%(participants)d人参加%(campaign)s安全知识答卷及宣传活动。"
            "应参与人数未填，无法计算参与率。"
        )
    else:
        reach = _(
            "%(period)s，%(scope)s共有%(participants)d人参加%(campaign)s安全知识答卷及宣传活动，"
            "应参与%(expected)d人，参与率%(rate)s。"
        )
    if figures.sheets:
        sheets = _("共提交答卷%(sheets)d份，平均得分率%(mean)s，及格率%(pass_rate)s，满分答卷%(full)d份；")
    else:
        sheets = _("统计期内没有答卷；")
    events = _(
        "活动报名%(registered)d人，签到%(checkins)d人，活动登记参加%(attendance)d人，各单位上报宣传活动%(activity)d人。"
    )
    paragraphs = [reach % values + sheets % values + events % values]
    problems = []
    if figures.over_full:
        problems.append(_("参与率超过100%，说明应参与人数偏少或有重复统计，请核实。"))
    if figures.units_without_headcount:
        problems.append(
            _("%(count)d个单位未填应参与人数，这些单位的参与人数计入合计，参与率可能偏高，请尽快补填。")
            % {"count": figures.units_without_headcount}
        )
    if unassigned is not None and unassigned.participants:
        problems.append(
            _("另有%(count)d人报名或参加活动时未填写单位，计入全市合计，不计入各镇街。")
            % {"count": unassigned.participants}
        )
    if problems:
        paragraphs.append("".join(problems))
    return paragraphs


def _ranked_rows(report, scope_unit):
    """The level below the scope, best rate first, rows with no headcount last (in name order);
    at the city, (towns, the bodies directly under the city): only towns are ranked together."""
    rows, others = [], []
    city_level = scope_unit is None or scope_unit.kind == UnitKind.CITY
    for node, figures in selectors.child_rows(report, scope_unit):
        is_own = node.parent is None  # the city's own entries
        row = Row(
            rank=None,
            name=_("市直（直接记在市级的记录）") if is_own else node.unit.name,
            kind="" if is_own else node.unit.get_kind_display(),
            figures=figures,
            rate_text=percent(figures.rate),
            flag=rate_flag(figures),
        )
        (others if city_level and (is_own or node.unit.kind != UnitKind.TOWN) else rows).append(row)
    for group in (rows, others):
        group.sort(key=lambda row: (row.figures.rate is None, -(row.figures.rate or 0), row.name))
        rank = 0
        for row in group:
            if row.figures.rate is not None:
                rank += 1
                row.rank = rank
    return rows, others


def _best(report, scope_unit):
    best = []
    for kind in BEST_KINDS:
        ranking = selectors.rankings(report, scope_unit, kind=kind, limit=BEST_LIMIT)
        if not ranking["by_rate"] and not ranking["unranked_rate"]:
            continue
        best.append(
            {
                "kind": UnitKind(kind).label,
                "rows": [
                    {
                        "rank": index,
                        "name": node.unit.name,
                        "town": node.town.name if node.town else _("市直"),
                        "figures": node.total,
                        "rate_text": percent(node.total.rate),
                        "flag": rate_flag(node.total),
                    }
                    for index, node in enumerate(ranking["by_rate"], start=1)
                ],
                "unranked": ranking["unranked_rate"],
            }
        )
    return best


def _weak(report, scope_unit, request):
    rows = selectors.weak_topics(report, scope_unit, limit=WEAK_LIMIT)["overall"]
    topics, reading = topic_reading(sorted({row["topic_id"] for row in rows}), request=request)
    return [
        {
            **row,
            "name": topics[row["topic_id"]].name if row["topic_id"] in topics else _("（已删除的主题）"),
            "rate_text": percent(row["rate"]),
            "reading": reading.get(row["topic_id"], []),
        }
        for row in rows
    ]


def build_bulletin(*, campaign, unit=None, filters=None, site=None, request=None, today=None) -> Bulletin:
    """Everything the bulletin says, for ``campaign`` over ``filters`` (dates, kind, audience) and
    the subtree of ``unit`` (None: the whole city)."""
    filters = filters or selectors.Filters()
    report = selectors.campaign_report(campaign=campaign, filters=filters)
    scope_unit = None if unit is None or report._is_root(unit) else unit
    figures = report.figures(scope_unit)
    scope_label = scope_unit.name if scope_unit is not None else _("全市")
    _start, _end, period_label = _period(campaign, filters)
    is_city_level = scope_unit is None or scope_unit.kind == UnitKind.CITY
    coverage = selectors.coverage(report, scope_unit)
    title_scope = scope_unit.name if scope_unit is not None else ""
    table_rows, other_rows = _ranked_rows(report, scope_unit)
    return Bulletin(
        title=_("%(campaign)s%(scope)s安全知识答卷及宣传活动参与情况通报")
        % {"campaign": campaign.name, "scope": title_scope},
        issuer=_issuer(site),
        issued_on=today or timezone.localdate(),
        campaign=campaign,
        scope_label=scope_label,
        period_label=period_label,
        filter_label=_filter_label(filters),
        figures=figures,
        summary=_summary(
            scope_label, period_label, campaign, figures, report.unassigned if scope_unit is None else None
        ),
        table_heading=_("各镇街参与情况（按参与率排序）") if is_city_level else _("下属单位参与情况（按参与率排序）"),
        table_rows=table_rows,
        other_rows=other_rows,
        best=_best(report, scope_unit),
        coverage_units=[
            {
                **row,
                "name": row["unit"].name,
                "kind": row["unit"].get_kind_display(),
                "town_name": row["town"].name if row["town"] else _("市直"),
            }
            for row in coverage["units"]
        ],
        coverage_towns=[
            {"name": row["town"].name if row["town"] else _("市直"), "units": row["units"]} for row in coverage["towns"]
        ],
        weak_topics=_weak(report, scope_unit, request),
        notes=[
            _(
                "说明：参与人数按人去重（同一人多次答卷或既答卷又签到只计一次），包括答卷、活动签到、"
                "活动登记参加和各单位上报的宣传活动人数；报名未签到的不计入。参与率 = 参与人数 ÷ 应参与人数，"
                "超过100%如实列出；未填应参与人数的单位不计算参与率，不参加排名。"
            )
        ],
    )


# The Word file ------------------------------------------------------------------------------


def _set_east_asian_font(element, name, latin=LATIN_FONT):
    """Give a run or a style's run properties a Latin font and an East Asian font (w:eastAsia),
    dropping theme fonts, which would override them."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), name)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _style(document, name, font, size, *, bold=False):
    style = document.styles[name]
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_east_asian_font(style.element, font)
    return style


def _run(paragraph, text, font, size=None, *, bold=False):
    run = paragraph.add_run(text)
    _set_east_asian_font(run._element, font)
    if size:
        run.font.size = Pt(size)
    run.bold = bold
    return run


def _paragraph(document, text, *, font=BODY_FONT, size=14, bold=False, align=None, indent=True):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    paragraph.paragraph_format.line_spacing = Pt(size * 1.6)
    _run(paragraph, text, font, size, bold=bold)
    return paragraph


def _heading(document, text, level=1):
    paragraph = document.add_heading(level=level)
    _run(paragraph, text, HEADING_FONT, 14 if level == 1 else 12, bold=level > 1)
    return paragraph


def _repeat_header(row):
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _table(document, header, rows, widths=None):
    table = document.add_table(rows=1, cols=len(header))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cell.paragraphs[0], text, HEADING_FONT, 10.5, bold=True)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            _run(cell.paragraphs[0], str(text), TABLE_FONT, 10.5)
    if widths:
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = Mm(width)
    document.add_paragraph()
    return table


def _ranked_table(document, rows):
    _table(
        document,
        [_("名次"), _("单位"), _("参与人数"), _("应参与人数"), _("参与率"), _("答卷数"), _("平均得分率"), _("说明")],
        [
            [
                row.rank or "—",
                row.name,
                str(row.figures.participants),
                str(row.figures.expected) if row.figures.expected else "—",
                row.rate_text,
                str(row.figures.sheets),
                percent(row.figures.mean_score),
                row.flag or "—",
            ]
            for row in rows
        ],
        widths=[12, 36, 16, 18, 16, 14, 18, 26],
    )


def render_docx(bulletin: Bulletin) -> bytes:
    """The bulletin as a .docx (A4, 公文 margins, Chinese fonts set for East Asian text)."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    _style(document, "Normal", BODY_FONT, 14)
    for name in ("Heading 1", "Heading 2"):
        _style(document, name, HEADING_FONT, 14, bold=False)
    _style(document, "Title", TITLE_FONT, 22, bold=True)
    document.core_properties.title = bulletin.title
    document.core_properties.author = bulletin.issuer
    document.core_properties.language = "zh-CN"

    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, bulletin.title, TITLE_FONT, 22, bold=True)
    meta = [bulletin.issuer, bulletin.issued_label]
    _paragraph(document, "　".join(part for part in meta if part), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    if bulletin.filter_label:
        _paragraph(
            document,
            _("（统计范围：%(filters)s）") % {"filters": bulletin.filter_label},
            align=WD_ALIGN_PARAGRAPH.CENTER,
            indent=False,
        )

    _heading(document, _("一、总体情况"))
    for text in bulletin.summary:
        _paragraph(document, text)

    _heading(document, _("二、%(heading)s") % {"heading": bulletin.table_heading})
    if bulletin.table_rows:
        _ranked_table(document, bulletin.table_rows)
    else:
        _paragraph(document, _("暂无下属单位。"))
    if bulletin.other_rows:
        _heading(document, _("市直单位"), level=2)
        _ranked_table(document, bulletin.other_rows)

    _heading(document, _("三、参与率较高的单位"))
    if bulletin.best:
        for group in bulletin.best:
            _heading(document, group["kind"], level=2)
            if group["rows"]:
                _table(
                    document,
                    [_("名次"), _("单位"), _("所属镇街"), _("参与人数"), _("应参与人数"), _("参与率"), _("说明")],
                    [
                        [
                            row["rank"],
                            row["name"],
                            row["town"],
                            str(row["figures"].participants),
                            str(row["figures"].expected),
                            row["rate_text"],
                            row["flag"] or "—",
                        ]
                        for row in group["rows"]
                    ],
                )
            else:
                _paragraph(document, _("暂无可排名的单位。"))
            if group["unranked"]:
                _paragraph(
                    document,
                    _("另有%(count)d个单位未填应参与人数，不参加排名。") % {"count": group["unranked"]},
                )
    else:
        _paragraph(document, _("暂无可排名的单位。"))

    _heading(document, _("四、尚未参与的单位"))
    if bulletin.coverage_units:
        _paragraph(
            document,
            _("以下%(count)d个单位在统计期内还没有任何参与记录，请所属镇街督促落实：")
            % {"count": len(bulletin.coverage_units)},
        )
        if len(bulletin.coverage_towns) > 1:
            _table(
                document,
                [_("镇街"), _("未参与单位数")],
                [[row["name"], str(row["units"])] for row in bulletin.coverage_towns],
            )
        _table(
            document,
            [_("单位"), _("类型"), _("所属镇街"), _("应参与人数"), _("联系人"), _("联系电话")],
            [
                [
                    row["name"],
                    row["kind"],
                    row["town_name"],
                    str(row["expected"]) if row["expected"] else _("未填"),
                    row["liaison_name"] or "—",
                    row["liaison_phone"] or "—",
                ]
                for row in bulletin.coverage_units
            ],
        )
    else:
        _paragraph(document, _("所有单位都已有参与记录。"))

    _heading(document, _("五、薄弱知识点"))
    if bulletin.weak_topics:
        _paragraph(document, _("答卷中答对率较低的主题如下，请各单位组织学习推荐阅读的文章："))
        _table(
            document,
            [_("主题"), _("答对率"), _("答对 / 作答题数"), _("推荐阅读")],
            [
                [
                    row["name"],
                    row["rate_text"],
                    f"{row['correct']} / {row['total']}",
                    "；".join(f"《{article['title']}》" for article in row["reading"]) or "—",
                ]
                for row in bulletin.weak_topics
            ],
        )
    else:
        _paragraph(document, _("统计期内还没有答卷。"))

    for note in bulletin.notes:
        _paragraph(document, note, size=12)
    signature = [bulletin.issuer, bulletin.issued_label]
    for text in signature:
        if text:
            _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
