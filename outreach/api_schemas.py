"""What the outlets' API (outreach/api.py) answers, field by field.

Every schema lists its fields explicitly and is filled from plain dicts, so a field added to a
page model never reaches an outlet by default: editors, staff, registrants, participants, scores
and answers have no field here.
"""

import datetime
from typing import Literal

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(description="错误说明（中文）")


class _Listing(Schema):
    count: int = Field(description="符合条件的总条数")
    limit: int
    offset: int


class ImageOut(Schema):
    url: str
    width: int
    height: int
    alt: str


class FeedsOut(Schema):
    rss: str
    atom: str
    json_feed: str


class ColumnOut(Schema):
    id: int
    title: str
    intro: str
    campaign_year: int | None
    is_archived: bool = Field(description="历史专题（已归档）")
    url: str
    embed_url: str
    oembed_url: str
    feeds: FeedsOut


class ColumnList(_Listing):
    results: list[ColumnOut]


class ColumnRef(Schema):
    id: int
    title: str


class TopicOut(Schema):
    slug: str
    name: str


class ArticleOut(Schema):
    id: int
    title: str
    summary: str
    publish_date: datetime.date
    source: str
    author: str
    column: ColumnRef | None
    topics: list[TopicOut]
    url: str
    embed_url: str
    oembed_url: str
    cover: ImageOut | None


class ArticleList(_Listing):
    results: list[ArticleOut]


class ArticleDetail(ArticleOut):
    body_html: str = Field(description="正文 HTML，站内链接和图片均为绝对地址")


class PlaceOut(Schema):
    name: str
    address: str


class EventOccurrenceOut(Schema):
    """One item of the event list: a time the event takes place (a recurring event has several)."""

    id: int = Field(description="活动 id（重复活动的每一场 id 相同）")
    title: str
    summary: str
    kind: str
    kind_label: str
    status: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    cancelled: bool
    moved: bool
    place: PlaceOut
    organiser: str
    url: str
    embed_url: str


class EventList(_Listing):
    results: list[EventOccurrenceOut]


class OccurrenceOut(Schema):
    date: datetime.date = Field(description="场次日期（原定日期）")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    cancelled: bool
    moved: bool
    registration_open: bool
    places_left: int | None = Field(description="开放报名且限额时的剩余名额，否则为 null")


class EventDetail(Schema):
    id: int
    title: str
    summary: str
    kind: str
    kind_label: str
    status: str
    status_note: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    recurring: bool
    place: PlaceOut
    organiser: str
    registration_enabled: bool
    capacity: int | None = Field(description="每场名额，null 表示不限")
    occurrences: list[OccurrenceOut]
    url: str
    embed_url: str
    oembed_url: str


ContestStatus = Literal["open", "upcoming", "closed"]


class ContestOut(Schema):
    id: int
    title: str
    intro: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    status: ContestStatus
    url: str
    embed_url: str
    oembed_url: str


class ContestList(_Listing):
    results: list[ContestOut]


class ContestDetail(ContestOut):
    rules_html: str = Field(description="答题规则 HTML")
