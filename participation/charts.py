"""Geometry for the dashboard's server-rendered SVG charts (templates/participation/includes/):
plain numbers in, bar positions out. No JavaScript; every chart has a data table beside it."""

from dataclasses import dataclass

BAR_CHART_WIDTH = 640
LABEL_WIDTH = 170
VALUE_WIDTH = 80
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_CHARS = 11

COLUMN_CHART_HEIGHT = 180
COLUMN_AREA_TOP = 10
COLUMN_AREA_BOTTOM = 150


@dataclass
class Bar:
    label: str
    short_label: str
    value: float | None
    display: str
    y: int
    width: float
    text_x: float = 0
    href: str = ""
    flag: str = ""


def _short(label):
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(rows, *, reference=None):
    """Horizontal bars. ``rows``: dicts with label, value (None: no bar), display, optional href
    and flag. ``reference`` (e.g. 100 for rates) is drawn as a line and the scale reaches at
    least it, so a rate over 100 % shows as a bar past the line, never capped."""
    values = [row["value"] for row in rows if row["value"] is not None]
    scale = max([*values, reference or 0, 1])
    area = BAR_CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, row in enumerate(rows):
        width = 0 if row["value"] is None else round(area * row["value"] / scale, 1)
        bars.append(
            Bar(
                label=row["label"],
                short_label=_short(row["label"]),
                value=row["value"],
                display=row["display"],
                y=index * ROW_HEIGHT,
                width=width,
                text_x=round(LABEL_WIDTH + width + 6, 1),
                href=row.get("href", ""),
                flag=row.get("flag", ""),
            )
        )
    return {
        "bars": bars,
        "width": BAR_CHART_WIDTH,
        "height": max(len(bars), 1) * ROW_HEIGHT,
        "label_width": LABEL_WIDTH,
        "bar_x": LABEL_WIDTH,
        "value_x": LABEL_WIDTH + area + 6,
        "bar_height": BAR_HEIGHT,
        "reference_x": round(LABEL_WIDTH + area * reference / scale, 1) if reference else None,
        "reference_label": f"{reference:g}%" if reference else "",
    }


def column_chart(points, *, label_every=5):
    """Vertical columns for a day-by-day trend. ``points``: dicts with label, value."""
    count = max(len(points), 1)
    scale = max([point["value"] for point in points] + [1])
    slot = BAR_CHART_WIDTH / count
    area = COLUMN_AREA_BOTTOM - COLUMN_AREA_TOP
    columns = []
    for index, point in enumerate(points):
        height = round(area * point["value"] / scale, 1)
        columns.append(
            {
                "x": round(index * slot + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(COLUMN_AREA_BOTTOM - height, 1),
                "height": height,
                "label": point["label"],
                "value": point["value"],
                "tick": index % label_every == 0 or index == count - 1,
                "tick_x": round(index * slot + slot / 2, 1),
            }
        )
    return {
        "columns": columns,
        "width": BAR_CHART_WIDTH,
        "height": COLUMN_CHART_HEIGHT,
        "baseline": COLUMN_AREA_BOTTOM,
        "max": scale,
        "tick_y": COLUMN_AREA_BOTTOM + 18,
    }
