"""The media outlets' read-only JSON API (/api/v1/): columns, articles, events and contests.

Only live pages without a view restriction, of the site the request came to, and only the
fields of outreach/api_schemas.py. Query parameters are parsed strictly (core.parsing): a bad one
is a 400 with a Chinese message, an unknown id or filter value a 404. The OpenAPI schema is at
/api/v1/openapi.json; there is no docs page (Ninja's loads its script from a CDN).

Cross-origin reads are allowed for the active outlets' origins only (outreach/cors.py);
successful answers are public for five minutes.
"""

import datetime
import re
from urllib.parse import urlencode

from django.db.models import Q, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError
from ninja.renderers import JSONRenderer
from wagtail.models import Site
from wagtail.rich_text import expand_db_html

from core import embedding
from core.errors import ReaderFacingNotFound
from core.parsing import parse_id, parse_positive_int
from core.structured_data import absolute_url
from events import selectors as event_selectors
from events.models import EventPage
from events.recurrence import occurrences
from events.services import registration_state
from home import feeds, seo
from home import selectors as home_selectors
from home.models import ArticlePage, Topic
from quizzes.models import ContestPage

from . import api_schemas as schemas

CACHE_SECONDS = 300
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
MAX_OFFSET = 10_000
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What a Topic's slug (a SlugField) can be; anything else names none.
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}")
ERRORS = {400: schemas.ErrorOut, 404: schemas.ErrorOut}


class _JSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class OutletAPI(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if response.status_code == 200:
            # The same for every reader; corsheaders adds Vary: Origin.
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response


api = OutletAPI(
    title=gettext_lazy("安全生产宣传教育平台媒体接口"),
    version="1",
    description=gettext_lazy("合作媒体使用的只读接口：专栏、文章、活动和答题活动。只含已发布的公开内容。"),
    urls_namespace="outlet_api",
    docs_url=None,
    renderer=_JSONRenderer(),
)


@api.exception_handler(Http404)
def _not_found(request, exc):
    message = str(exc) if isinstance(exc, ReaderFacingNotFound) else _("没有找到请求的内容。")
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": _("请求参数不正确。")}, status=422)


# --- Parameters ----------------------------------------------------------------------------------


def _bad(name, message):
    return HttpError(400, _("参数 %(name)s 不正确：%(message)s") % {"name": name, "message": message})


def _window(limit, offset):
    size = DEFAULT_LIMIT if limit is None else parse_positive_int(limit, maximum=MAX_LIMIT)
    if size is None:
        raise _bad("limit", _("应为 1 到 %(max)d 之间的整数。") % {"max": MAX_LIMIT})
    start = 0 if offset in (None, "0") else parse_positive_int(offset, maximum=MAX_OFFSET)
    if start is None:
        raise _bad("offset", _("应为 0 到 %(max)d 之间的整数。") % {"max": MAX_OFFSET})
    return size, start


def _date(name, value):
    if value is None:
        return None
    if _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:  # 2026-13-45
            pass
    raise _bad(name, _("应为“2026-06-01”这样的日期。"))


def _page_id(value):
    """An id from the path; one that cannot be a page's is simply not found."""
    page_id = parse_id(value)
    if page_id is None:
        raise ReaderFacingNotFound(_("没有找到这个页面。"))
    return page_id


def _listing(rows, *, limit, offset, build):
    """``{"count", "limit", "offset", "results"}`` for a queryset or list ``rows``."""
    size, start = _window(limit, offset)
    count = len(rows) if isinstance(rows, list) else rows.count()
    return {"count": count, "limit": size, "offset": start, "results": build(list(rows[start : start + size]))}


def _root(request):
    """The home page of the site this request came to: the API shows that site's pages only."""
    site = Site.find_for_request(request)
    if site is None:
        raise ReaderFacingNotFound(_("没有找到这个站点。"))
    return site.root_page


# --- Building the answers ------------------------------------------------------------------------


def _urls(request, page):
    url = absolute_url(request, page.get_url(request=request))
    oembed = absolute_url(request, reverse("oembed")) + "?" + urlencode({"url": url, "format": "json"})
    return {"url": url, "embed_url": absolute_url(request, embedding.embed_path(page)), "oembed_url": oembed}


def _html(request, html):
    # Root-relative links and images made absolute: an outlet shows the HTML on its own host.
    return feeds.absolute_html(html, request)


def _cover(request, article):
    if article.cover_image is None:
        return None
    try:
        rendition = article.cover_image.get_rendition(seo.COVER_RENDITION)
    except OSError:  # the original file is gone (SourceImageIOError): no cover rather than no answer
        return None
    return {
        "url": absolute_url(request, rendition.url),
        "width": rendition.width,
        "height": rendition.height,
        "alt": article.cover_alt_text,
    }


def _column(request, column):
    return {
        "id": column.pk,
        "title": column.title,
        "intro": column.intro,
        "campaign_year": column.campaign_year,
        "is_archived": column.is_archived,
        **_urls(request, column),
        "feeds": {
            "rss": feeds.feed_url(request, column, "rss"),
            "atom": feeds.feed_url(request, column, "atom"),
            "json_feed": feeds.feed_url(request, column, "json"),
        },
    }


def _article(request, article, columns_by_path):
    column = columns_by_path.get(article.path[: -ArticlePage.steplen])
    return {
        "id": article.pk,
        "title": article.title,
        "summary": article.summary,
        "publish_date": article.publish_date,
        "source": article.source,
        "author": article.author,
        "column": {"id": column.pk, "title": column.title} if column else None,
        "topics": [{"slug": topic.slug, "name": topic.name} for topic in article.topics.all()],
        **_urls(request, article),
        "cover": _cover(request, article),
    }


def _articles(request, root):
    """The site's articles and its live, public columns by path (an article's column is the
    page above it; one in a draft or private column is listed without it)."""
    columns = home_selectors.columns(root=root)
    return ArticlePage.objects.descendant_of(root).for_listing(), {column.path: column for column in columns}


def _with_covers(articles):
    # The renditions of every cover in one query (Image.get_rendition reads prefetched ones).
    prefetch_related_objects(articles, "cover_image__renditions")
    return articles


def _place(event):
    return {"name": event.venue_name, "address": event.venue_address}


def _event_fields(event):
    return {
        "id": event.pk,
        "title": event.title,
        "summary": event.summary,
        "kind": event.kind,
        "kind_label": str(event_selectors.kind_label(event.kind)),
        "status": event.status,
        "place": _place(event),
        "organiser": event.organiser.name,
    }


def _occurrence_item(request, occurrence):
    event = occurrence.event
    urls = _urls(request, event)
    return {
        **_event_fields(event),
        "starts_at": timezone.localtime(occurrence.starts_at),
        "ends_at": timezone.localtime(occurrence.ends_at),
        "cancelled": occurrence.is_cancelled,
        "moved": occurrence.moved,
        "url": urls["url"],
        "embed_url": urls["embed_url"],
    }


def _occurrences(event, now):
    """Every occurrence, with the places left in those open for registration (as the page shows them)."""
    found = occurrences(event)
    open_ones = [
        o for o in found if o.ends_at >= now and registration_state(event=event, occurrence=o, now=now) is None
    ]
    places = {
        row["occurrence"].original_date: row["places_left"]
        for row in event_selectors.places_left(event=event, occurrences=open_ones)
    }
    open_dates = {o.original_date for o in open_ones}
    return [
        {
            "date": o.original_date,
            "starts_at": timezone.localtime(o.starts_at),
            "ends_at": timezone.localtime(o.ends_at),
            "cancelled": o.is_cancelled,
            "moved": o.moved,
            "registration_open": o.original_date in open_dates,
            "places_left": places.get(o.original_date),
        }
        for o in found
    ]


def contest_status(contest, now):
    if now < contest.opens_at:
        return "upcoming"
    return "open" if contest.is_open(now) else "closed"


CONTEST_STATUS_FILTERS = {
    "open": lambda now: Q(opens_at__lte=now, closes_at__gt=now),
    "upcoming": lambda now: Q(opens_at__gt=now),
    "closed": lambda now: Q(closes_at__lte=now),
}


def _contest(request, contest, now):
    return {
        "id": contest.pk,
        "title": contest.title,
        "intro": contest.intro,
        "opens_at": timezone.localtime(contest.opens_at),
        "closes_at": timezone.localtime(contest.closes_at),
        "status": contest_status(contest, now),
        **_urls(request, contest),
    }


def _contests(root):
    return ContestPage.objects.descendant_of(root).live().public()


# --- Endpoints -----------------------------------------------------------------------------------

LIMIT = Query(None, description=f"每页条数，1–{MAX_LIMIT}，默认 {DEFAULT_LIMIT}")
OFFSET = Query(None, description=f"跳过的条数，0–{MAX_OFFSET}")


@api.get("/columns/", response={200: schemas.ColumnList, **ERRORS}, url_name="columns", summary="专栏列表")
def column_list(request, limit: str = LIMIT, offset: str = OFFSET):
    columns = home_selectors.columns(root=_root(request))
    return _listing(columns, limit=limit, offset=offset, build=lambda rows: [_column(request, c) for c in rows])


@api.get("/articles/", response={200: schemas.ArticleList, **ERRORS}, url_name="articles", summary="文章列表")
def article_list(
    request,
    column: str = Query(None, description="专栏 id"),
    topic: str = Query(None, description="主题标识（slug）"),
    since: str = Query(None, description="发布日期不早于，如 2026-06-01"),
    until: str = Query(None, description="发布日期不晚于，如 2026-06-30"),
    limit: str = LIMIT,
    offset: str = OFFSET,
):
    articles, columns_by_path = _articles(request, _root(request))
    if column is not None:
        column_id = parse_id(column)
        chosen = next((c for c in columns_by_path.values() if c.pk == column_id), None)
        if chosen is None:
            raise ReaderFacingNotFound(_("没有找到这个专栏。"))
        articles = articles.child_of(chosen)
    if topic is not None:
        found = Topic.objects.filter(slug=topic).first() if _SLUG.fullmatch(topic) else None
        if found is None:
            raise ReaderFacingNotFound(_("没有找到主题“%(slug)s”。") % {"slug": topic[:40]})
        articles = articles.with_topic(found)
    first, last = _date("since", since), _date("until", until)
    if first:
        articles = articles.filter(publish_date__gte=first)
    if last:
        articles = articles.filter(publish_date__lte=last)
    return _listing(
        articles,
        limit=limit,
        offset=offset,
        build=lambda rows: [_article(request, a, columns_by_path) for a in _with_covers(rows)],
    )


@api.get(
    "/articles/{article_id}/", response={200: schemas.ArticleDetail, **ERRORS}, url_name="article", summary="文章详情"
)
def article_detail(request, article_id: str):
    articles, columns_by_path = _articles(request, _root(request))
    article = articles.filter(pk=_page_id(article_id)).first()
    if article is None:
        raise ReaderFacingNotFound(_("没有找到这篇文章。"))
    body = article.body.render_as_block(context={"request": request})
    return {**_article(request, article, columns_by_path), "body_html": _html(request, body)}


@api.get("/events/", response={200: schemas.EventList, **ERRORS}, url_name="events", summary="活动列表")
def event_list(
    request,
    past: str = Query(None, description="1：已结束的活动（最近的在前）；默认即将举行的活动"),
    kind: str = Query(None, description="活动类型"),
    town: str = Query(None, description="镇（街道）id"),
    audience: str = Query(None, description="面向对象标识（slug）"),
    limit: str = LIMIT,
    offset: str = OFFSET,
):
    if past not in (None, "0", "1"):
        raise _bad("past", _("应为 0 或 1。"))
    root = _root(request)
    filters = event_selectors.parse_filters({"kind": kind or "", "town": town or "", "audience": audience or ""})
    if past == "1":
        found = event_selectors.past_occurrences(root=root, filters=filters)
    else:
        found = event_selectors.upcoming_occurrences(root=root, filters=filters)
    return _listing(found, limit=limit, offset=offset, build=lambda rows: [_occurrence_item(request, o) for o in rows])


@api.get("/events/{event_id}/", response={200: schemas.EventDetail, **ERRORS}, url_name="event", summary="活动详情")
def event_detail(request, event_id: str):
    event = EventPage.objects.descendant_of(_root(request)).for_listing().filter(pk=_page_id(event_id)).first()
    if event is None:
        raise ReaderFacingNotFound(_("没有找到这个活动。"))
    return {
        **_event_fields(event),
        "status_note": event.status_note,
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "recurring": event.is_recurring,
        "registration_enabled": event.registration_enabled,
        "capacity": event.capacity,
        "occurrences": _occurrences(event, timezone.now()),
        **_urls(request, event),
    }


@api.get("/contests/", response={200: schemas.ContestList, **ERRORS}, url_name="contests", summary="答题活动列表")
def contest_list(
    request,
    status: str = Query(None, description="open（进行中）、upcoming（未开始）或 closed（已结束）"),
    limit: str = LIMIT,
    offset: str = OFFSET,
):
    now = timezone.now()
    contests = _contests(_root(request)).order_by("-opens_at", "-pk")
    if status is not None:
        if status not in CONTEST_STATUS_FILTERS:
            raise _bad("status", _("应为 open、upcoming 或 closed。"))
        contests = contests.filter(CONTEST_STATUS_FILTERS[status](now))
    return _listing(contests, limit=limit, offset=offset, build=lambda rows: [_contest(request, c, now) for c in rows])


@api.get(
    "/contests/{contest_id}/",
    response={200: schemas.ContestDetail, **ERRORS},
    url_name="contest",
    summary="答题活动详情",
)
def contest_detail(request, contest_id: str):
    contest = _contests(_root(request)).filter(pk=_page_id(contest_id)).first()
    if contest is None:
        raise ReaderFacingNotFound(_("没有找到这个答题活动。"))
    return {
        **_contest(request, contest, timezone.now()),
        "rules_html": _html(request, expand_db_html(contest.rules)),
    }
