"""The outlets' JSON API (/api/v1/): what each endpoint answers, that private and draft pages are
never in it, CORS for the active outlets' origins only, caching, cheap queries and hostile input.

Every page here is built by the test under the demo's home page; lists are filtered to them
(``?column=``) or searched for them, so the demo's own pages never decide a result."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from core.models import MediaOutlet
from events.choices import RegistrationStatus
from events.factories import EventIndexPageFactory, EventPageFactory, RegistrationFactory
from home import seo
from home.factories import ArticlePageFactory, ColumnIndexPageFactory, PosterImageFactory, TopicFactory
from quizzes.factories import ContestIndexPageFactory, ContestPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_own_outlets")]

API = "/api/v1/"
ORIGIN = "https://news.example.cn"
ARTICLE_KEYS = {
    "id",
    "title",
    "summary",
    "publish_date",
    "source",
    "author",
    "column",
    "topics",
    "url",
    "embed_url",
    "oembed_url",
    "cover",
}
EVENT_ITEM_KEYS = {
    "id",
    "title",
    "summary",
    "kind",
    "kind_label",
    "status",
    "starts_at",
    "ends_at",
    "cancelled",
    "moved",
    "place",
    "organiser",
    "url",
    "embed_url",
}
EVENT_DETAIL_KEYS = (EVENT_ITEM_KEYS - {"cancelled", "moved"}) | {
    "status_note",
    "recurring",
    "registration_enabled",
    "capacity",
    "occurrences",
    "oembed_url",
}
CONTEST_KEYS = {"id", "title", "intro", "opens_at", "closes_at", "status", "url", "embed_url", "oembed_url"}
LISTING_KEYS = {"count", "limit", "offset", "results"}


def _get(client, path, **params):
    response = client.get(API + path, params)
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    return response


def _ok(client, path, **params):
    response = _get(client, path, **params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.json()


def _private(page):
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="x")
    return page


@pytest.fixture
def own_column(home_page):
    return ColumnIndexPageFactory(parent=home_page, title="媒体接口专栏", intro="供合作媒体转载的文章。")


@pytest.fixture
def topic():
    return TopicFactory(name="燃气安全", slug="api-gas")


@pytest.fixture
def event_index(home_page):
    return EventIndexPageFactory(parent=home_page)


@pytest.fixture
def contest_index(home_page):
    return ContestIndexPageFactory(parent=home_page)


def _ids(listing):
    return [row["id"] for row in listing["results"]]


# --- Columns and articles ------------------------------------------------------------------------


def test_column_list_gives_each_live_column_with_its_links(client, own_column):
    draft = ColumnIndexPageFactory(parent=own_column.get_parent(), title="未发布专栏", live=False)
    private = _private(ColumnIndexPageFactory(parent=own_column.get_parent(), title="内部专栏"))

    listing = _ok(client, "columns/", limit="50")

    assert set(listing) == LISTING_KEYS
    assert draft.pk not in _ids(listing) and private.pk not in _ids(listing)
    row = next(row for row in listing["results"] if row["id"] == own_column.pk)
    url = f"http://testserver{own_column.url}"
    assert row == {
        "id": own_column.pk,
        "title": "媒体接口专栏",
        "intro": "供合作媒体转载的文章。",
        "campaign_year": 2026,
        "is_archived": False,
        "url": url,
        "embed_url": f"http://testserver/embed/page/{own_column.pk}/",
        "oembed_url": row["oembed_url"],
        "feeds": {"rss": url + "feed/rss/", "atom": url + "feed/atom/", "json_feed": url + "feed/json/"},
    }
    assert row["oembed_url"].startswith("http://testserver/oembed/?url=http")


def test_article_list_gives_a_columns_articles_newest_first(client, own_column, topic):
    older = ArticlePageFactory(parent=own_column, title="较早的文章", publish_date=datetime.date(2026, 6, 1))
    newer = ArticlePageFactory(
        parent=own_column,
        title="燃气安全进社区",
        summary="社区开展燃气安全宣传。",
        source="莱西市应急管理局",
        author="宣传科",
        editor="王晓丽",
        publish_date=datetime.date(2026, 6, 12),
        topics=[topic],
    )

    listing = _ok(client, "articles/", column=str(own_column.pk))

    assert listing["count"] == 2 and listing["limit"] == 20 and listing["offset"] == 0
    assert _ids(listing) == [newer.pk, older.pk]
    row = listing["results"][0]
    assert set(row) == ARTICLE_KEYS
    assert row["title"] == "燃气安全进社区"
    assert row["summary"] == "社区开展燃气安全宣传。"
    assert row["publish_date"] == "2026-06-12"
    assert (row["source"], row["author"]) == ("莱西市应急管理局", "宣传科")
    assert row["column"] == {"id": own_column.pk, "title": "媒体接口专栏"}
    assert row["topics"] == [{"slug": "api-gas", "name": "燃气安全"}]
    assert row["url"] == f"http://testserver{newer.url}"
    assert row["embed_url"] == f"http://testserver/embed/page/{newer.pk}/"
    assert row["cover"] is None
    # 责任编辑 is a person: never in the API.
    assert "王晓丽" not in _get(client, "articles/", column=str(own_column.pk)).content.decode()


def test_article_list_filters_by_topic_and_dates_and_pages(client, own_column, topic):
    june = [
        ArticlePageFactory(parent=own_column, publish_date=datetime.date(2026, 6, day), topics=[topic])
        for day in (1, 10, 20)
    ]
    ArticlePageFactory(parent=own_column, publish_date=datetime.date(2026, 6, 15))
    column = str(own_column.pk)

    assert _ids(_ok(client, "articles/", column=column, topic="api-gas")) == [a.pk for a in reversed(june)]
    dated = _ok(client, "articles/", column=column, topic="api-gas", since="2026-06-05", until="2026-06-10")
    assert _ids(dated) == [june[1].pk]
    second = _ok(client, "articles/", column=column, limit="2", offset="2")
    assert second["count"] == 4 and (second["limit"], second["offset"]) == (2, 2)
    assert len(second["results"]) == 2
    assert _ok(client, "articles/", column=column, offset="10")["results"] == []


def test_article_detail_has_the_rendered_body_and_the_cover(client, own_column):
    target = ArticlePageFactory(parent=own_column, title="链接的目标")
    image = PosterImageFactory()
    article = ArticlePageFactory(
        parent=own_column,
        cover_image=image,
        cover_alt_text="安全咨询日现场",
        body=[
            {
                "type": "paragraph",
                "value": f'<p>详见<a linktype="page" id="{target.pk}">这篇文章</a>。</p>',
            }
        ],
    )

    detail = _ok(client, f"articles/{article.pk}/")

    assert set(detail) == ARTICLE_KEYS | {"body_html"}
    assert f'href="http://testserver{target.url}"' in detail["body_html"]
    assert "linktype" not in detail["body_html"]
    cover = detail["cover"]
    assert set(cover) == {"url", "width", "height", "alt"}
    # The share card's rendition (about 1200×630; Wagtail may round a pixel).
    rendition = image.get_rendition(seo.COVER_RENDITION)
    assert cover == {
        "url": f"http://testserver{rendition.url}",
        "width": rendition.width,
        "height": rendition.height,
        "alt": "安全咨询日现场",
    }
    assert abs(rendition.width - 1200) <= 1 and abs(rendition.height - 630) <= 1


def test_private_and_draft_articles_are_neither_listed_nor_found(client, own_column):
    public = ArticlePageFactory(parent=own_column)
    draft = ArticlePageFactory(parent=own_column, live=False)
    private = _private(ArticlePageFactory(parent=own_column))
    private_column = _private(ColumnIndexPageFactory(parent=own_column.get_parent()))
    in_private_column = ArticlePageFactory(parent=private_column)

    assert _ids(_ok(client, "articles/", column=str(own_column.pk))) == [public.pk]
    everything = _ids(_ok(client, "articles/", limit="50", since=str(public.publish_date)))
    for hidden in (draft, private, in_private_column):
        assert hidden.pk not in everything
        response = _get(client, f"articles/{hidden.pk}/")
        assert response.status_code == 404
        assert response.json() == {"detail": "没有找到这篇文章。"}
    # Not even as a filter: a private column is unknown.
    assert _get(client, "articles/", column=str(private_column.pk)).status_code == 404


# --- Events --------------------------------------------------------------------------------------


def test_event_list_gives_upcoming_occurrences_and_past_ones_on_request(client, event_index):
    now = timezone.now().replace(second=0, microsecond=0)
    upcoming = EventPageFactory(parent=event_index, title="燃气安全宣讲", starts_at=now + datetime.timedelta(days=2))
    past = EventPageFactory(parent=event_index, title="消防演练回顾", starts_at=now - datetime.timedelta(days=2))

    coming = _ok(client, "events/", limit="50")
    assert upcoming.pk in _ids(coming) and past.pk not in _ids(coming)
    row = next(row for row in coming["results"] if row["id"] == upcoming.pk)
    assert set(row) == EVENT_ITEM_KEYS
    assert row["title"] == "燃气安全宣讲"
    assert row["place"] == {"name": "莱西市文化广场", "address": "莱西市烟台路与上海路交叉口"}
    assert row["organiser"] == upcoming.organiser.name
    assert row["kind"] == "community" and row["kind_label"]
    # In local time (China Standard Time), as the page shows it.
    assert row["starts_at"].endswith("+08:00")
    assert datetime.datetime.fromisoformat(row["starts_at"]) == upcoming.starts_at
    assert row["url"] == f"http://testserver{upcoming.url}"
    assert row["embed_url"] == f"http://testserver/embed/page/{upcoming.pk}/"

    gone = _ok(client, "events/", past="1", limit="50")
    assert past.pk in _ids(gone) and upcoming.pk not in _ids(gone)


def test_event_detail_shows_places_left_but_no_registrant(client, event_index):
    event = EventPageFactory(
        parent=event_index,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        registration_enabled=True,
        capacity=30,
    )
    RegistrationFactory(event=event, name="李华", phone="13812345678", party_size=4)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED, party_size=10)

    response = _get(client, f"events/{event.pk}/")
    detail = response.json()

    assert set(detail) == EVENT_DETAIL_KEYS
    assert (detail["registration_enabled"], detail["capacity"], detail["recurring"]) == (True, 30, False)
    [occurrence] = detail["occurrences"]
    assert set(occurrence) == {"date", "starts_at", "ends_at", "cancelled", "moved", "registration_open", "places_left"}
    assert occurrence["registration_open"] is True
    assert occurrence["places_left"] == 26
    text = response.content.decode()
    assert "李华" not in text and "13812345678" not in text and "1381234" not in text


def test_private_and_draft_events_are_neither_listed_nor_found(client, event_index):
    soon = timezone.now() + datetime.timedelta(days=1)
    draft = EventPageFactory(parent=event_index, starts_at=soon, live=False)
    private = _private(EventPageFactory(parent=event_index, starts_at=soon))

    listed = _ids(_ok(client, "events/", limit="50"))
    for hidden in (draft, private):
        assert hidden.pk not in listed
        assert _get(client, f"events/{hidden.pk}/").status_code == 404


def test_event_filters_refuse_what_they_do_not_know(client, event_index):
    assert _get(client, "events/", kind="no-such-kind").status_code == 404
    assert _get(client, "events/", past="yes").status_code == 400


# --- Contests ------------------------------------------------------------------------------------


def test_contests_have_their_status_and_no_participant_data(client, contest_index):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    running = ContestPageFactory(
        parent=contest_index, title="校园安全知识答卷", opens_at=now - day, closes_at=now + day
    )
    coming = ContestPageFactory(parent=contest_index, opens_at=now + day, closes_at=now + 2 * day)
    over = ContestPageFactory(parent=contest_index, opens_at=now - 2 * day, closes_at=now - day)

    listing = _ok(client, "contests/", limit="50")
    statuses = {row["id"]: row["status"] for row in listing["results"]}
    assert (statuses[running.pk], statuses[coming.pk], statuses[over.pk]) == ("open", "upcoming", "closed")
    assert all(set(row) == CONTEST_KEYS for row in listing["results"])
    for status, contest in (("open", running), ("upcoming", coming), ("closed", over)):
        found = _ids(_ok(client, "contests/", status=status, limit="50"))
        assert contest.pk in found
        assert {running.pk, coming.pk, over.pk} & set(found) == {contest.pk}

    detail = _ok(client, f"contests/{running.pk}/")
    assert set(detail) == CONTEST_KEYS | {"rules_html"}
    assert detail["title"] == "校园安全知识答卷" and detail["status"] == "open"
    assert detail["embed_url"] == f"http://testserver/embed/page/{running.pk}/"
    assert _get(client, "contests/", status="all").status_code == 400


def test_private_and_draft_contests_are_not_found(client, contest_index):
    draft = ContestPageFactory(parent=contest_index, live=False)
    private = _private(ContestPageFactory(parent=contest_index))

    listed = _ids(_ok(client, "contests/", limit="50"))
    for hidden in (draft, private):
        assert hidden.pk not in listed
        assert _get(client, f"contests/{hidden.pk}/").status_code == 404


# --- CORS, caching, queries ----------------------------------------------------------------------


def test_an_active_outlets_origin_may_read_the_api(client):
    MediaOutlet.objects.create(name="莱西新闻网", allowed_origins=ORIGIN)

    response = client.get(API + "columns/", headers={"origin": ORIGIN})

    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert "Access-Control-Allow-Credentials" not in response
    assert "origin" in response["Vary"].lower()
    assert response["Cache-Control"] == "public, max-age=300"


def test_a_preflight_from_an_active_outlet_is_answered(client):
    MediaOutlet.objects.create(name="莱西新闻网", allowed_origins=ORIGIN)

    response = client.options(API + "articles/", headers={"origin": ORIGIN, "access-control-request-method": "GET"})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert set(response["Access-Control-Allow-Methods"].split(", ")) == {"GET", "OPTIONS"}


@pytest.mark.parametrize("origin", ["https://off.example.cn", "https://other.example.cn", "null"])
def test_inactive_and_unlisted_origins_get_no_cors_headers(client, origin):
    MediaOutlet.objects.create(name="莱西新闻网", allowed_origins=ORIGIN)
    MediaOutlet.objects.create(name="停用媒体", allowed_origins="https://off.example.cn", is_active=False)

    read = client.get(API + "columns/", headers={"origin": origin})
    preflight = client.options(API + "columns/", headers={"origin": origin, "access-control-request-method": "GET"})

    assert read.status_code == 200
    assert "Access-Control-Allow-Origin" not in read
    assert "Access-Control-Allow-Origin" not in preflight


def test_an_outlets_origin_opens_no_page_outside_the_api(client, article):
    MediaOutlet.objects.create(name="莱西新闻网", allowed_origins=ORIGIN)

    assert "Access-Control-Allow-Origin" not in client.get(article.url, headers={"origin": ORIGIN})


def test_a_filtered_list_is_never_the_unfiltered_one_from_the_page_cache(client, own_column):
    mine = ArticlePageFactory(parent=own_column)
    _ok(client, "articles/")

    assert _ids(_ok(client, "articles/", column=str(own_column.pk))) == [mine.pk]


def test_the_article_list_costs_the_same_queries_for_3_or_15_articles(client, home_page):
    def queries(count):
        column = ColumnIndexPageFactory(parent=home_page)
        for _ in range(count):
            ArticlePageFactory(
                parent=column, cover_image=PosterImageFactory(), cover_alt_text="封面", topics=[TopicFactory()]
            )
        params = {"column": str(column.pk), "limit": "50"}
        client.get(API + "articles/", params)  # makes the cover renditions once
        with CaptureQueriesContext(connection) as captured:
            assert len(client.get(API + "articles/", params).json()["results"]) == count
        return len(captured)

    assert queries(15) == queries(3)


# --- Errors and hostile input --------------------------------------------------------------------


def test_errors_are_json_in_chinese(client):
    bad = _get(client, "articles/", limit="1e999")
    assert bad.status_code == 400
    assert bad.json() == {"detail": "参数 limit 不正确：应为 1 到 50 之间的整数。"}
    assert _get(client, "articles/", since="2026-13-45").json()["detail"].startswith("参数 since 不正确")
    assert "Cache-Control" not in bad or "max-age=300" not in bad["Cache-Control"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("articles/", {"limit": "1e999"}),
        ("articles/", {"limit": "²"}),
        ("articles/", {"limit": "0"}),
        ("articles/", {"limit": "51"}),
        ("articles/", {"offset": "-1"}),
        ("articles/", {"offset": "9" * 40}),
        ("articles/", {"column": "\x00"}),
        ("articles/", {"column": "9" * 40}),
        ("articles/", {"column": "٣"}),
        ("articles/", {"topic": "燃气" * 300}),
        ("articles/", {"topic": "'; drop table wagtailcore_page; --"}),
        ("articles/", {"since": "2026-13-45"}),
        ("articles/", {"until": "２０２６-06-01"}),
        ("articles/", {"since": "1e999"}),
        ("events/", {"past": "²"}),
        ("events/", {"town": "99999999999999999999"}),
        ("events/", {"audience": "<script>"}),
        ("events/", {"limit": "NaN"}),
        ("contests/", {"status": "\x00"}),
        ("contests/", {"offset": "1.5"}),
        ("columns/", {"limit": ""}),
    ],
)
def test_hostile_parameters_are_refused_not_a_server_error(client, path, params):
    # A control character is refused before the API (core.middleware), with the site's error page.
    assert client.get(API + path, params).status_code in (400, 404, 422)


@pytest.mark.parametrize("kind", ["articles", "events", "contests"])
@pytest.mark.parametrize("value", ["%00", "%C2%B2", "9" * 25, "2147483648", "0", "-1", "1e999", "abc"])
def test_ids_that_cannot_exist_are_not_found(client, kind, value):
    response = client.get(f"{API}{kind}/{value}/")
    assert response.status_code in (400, 404)


def test_the_openapi_schema_is_served_but_no_docs_page(client):
    schema = client.get(API + "openapi.json").json()

    assert {"/api/v1/articles/", "/api/v1/articles/{article_id}/", "/api/v1/events/", "/api/v1/contests/"} <= set(
        schema["paths"]
    )
    assert client.get(API + "docs/").status_code == 404
