"""The RSS 2.0, Atom 1.0 and JSON Feed 1.1 feeds of a column and of the whole site, and the
autodiscovery links pages carry for them. Every feed is parsed with feedparser, which must not
flag it as malformed (``bozo``)."""

import datetime
import json
import re

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.factories import ArticlePageFactory, ColumnIndexPageFactory, PosterImageFactory, paragraphs_to_body
from home.models import SiteIdentity

pytestmark = pytest.mark.django_db

READER_HOST = "news.example.cn"
XML_KINDS = {"rss": "application/rss+xml", "atom": "application/atom+xml"}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}
ALTERNATE = re.compile(r'<link rel="alternate" type="([^"]+)" title="([^"]*)" href="([^"]+)">')


@pytest.fixture
def reader_host(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, READER_HOST]
    return READER_HOST


@pytest.fixture
def feed_column(home_page):
    return ColumnIndexPageFactory(parent=home_page, slug="feed-column", title="订阅测试专栏", intro="订阅测试简介")


@pytest.fixture
def feed_articles(feed_column):
    older = ArticlePageFactory(
        parent=feed_column,
        slug="feed-older",
        title="订阅测试：较早的文章",
        summary="较早文章的摘要。",
        publish_date=datetime.date(2026, 6, 2),
        body=paragraphs_to_body(['正文第一段，<a href="/search/">站内链接</a>。']),
    )
    newer = ArticlePageFactory(
        parent=feed_column,
        slug="feed-newer",
        title="订阅测试：较新的文章",
        summary="较新文章的摘要。",
        publish_date=datetime.date(2026, 6, 9),
        cover_image=PosterImageFactory(title="订阅封面"),
        cover_alt_text="封面",
    )
    return newer, older


def feed_path(page, kind):
    return page.url + f"feed/{kind}/"


def parse(client, path, host=READER_HOST, **params):
    response = client.get(path, params, HTTP_HOST=host)
    assert response.status_code == 200, response.status_code
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


def enable_full_text():
    # Saved, not updated, so the page cache drops the summary-only copies.
    identity = SiteIdentity.objects.get()
    identity.feed_full_text = True
    identity.save()


def _entry(parsed, title):
    return next(entry for entry in parsed.entries if entry.title == title)


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_a_column_feed_lists_its_live_articles_newest_first(client, reader_host, feed_column, feed_articles, kind):
    newer, older = feed_articles
    ArticlePageFactory(parent=feed_column, slug="feed-draft", title="订阅测试：草稿", live=False)
    response, parsed = parse(client, feed_path(feed_column, kind))

    assert response["Content-Type"] == f"{XML_KINDS[kind]}; charset=utf-8"
    assert "public" in response["Cache-Control"] and "max-age=600" in response["Cache-Control"]
    assert parsed.feed.title == f"订阅测试专栏 - {SiteIdentity.objects.get().site_name}"
    assert parsed.feed.link == f"http://{reader_host}{feed_column.url}"
    assert [entry.title for entry in parsed.entries] == [newer.title, older.title]
    entry = parsed.entries[0]
    assert entry.link == f"http://{reader_host}{newer.url}"
    assert entry.id == f"urn:uuid:{newer.translation_key}"
    assert entry.summary == "较新文章的摘要。"
    # The 发布日期 in the site's time zone (feedparser's *_parsed values are in UTC).
    assert "09 Jun 2026" in entry.published or "2026-06-09" in entry.published
    assert entry.author


def test_rss_guids_are_not_permalinks(client, reader_host, feed_column, feed_articles):
    body = client.get(feed_path(feed_column, "rss"), HTTP_HOST=reader_host).content.decode()
    assert body.count('<guid isPermaLink="false">urn:uuid:') == 2


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
def test_the_guid_survives_a_slug_change(client, reader_host, feed_column, feed_articles, kind):
    newer = feed_articles[0]

    def guid_and_link():
        response = client.get(feed_path(feed_column, kind), HTTP_HOST=reader_host)
        if kind == "json":
            item = json.loads(response.content)["items"][0]
            return item["id"], item["url"]
        entry = feedparser.parse(response.content).entries[0]
        return entry.id, entry.link

    guid, link = guid_and_link()
    newer.slug = "feed-renamed"
    newer.save_revision().publish()
    new_guid, new_link = guid_and_link()
    assert new_guid == guid
    assert new_link != link and new_link.endswith("/feed-renamed/")


def test_rss_has_the_cover_as_an_enclosure(client, reader_host, feed_column, feed_articles):
    _response, parsed = parse(client, feed_path(feed_column, "rss"))
    enclosures = _entry(parsed, feed_articles[0].title).enclosures
    assert len(enclosures) == 1
    assert enclosures[0].href.startswith(f"http://{reader_host}/")
    assert enclosures[0].type == "image/png"
    assert int(enclosures[0].length) > 0
    assert _entry(parsed, feed_articles[1].title).enclosures == []


def test_atom_links_the_cover_as_an_enclosure(client, reader_host, feed_column, feed_articles):
    _response, parsed = parse(client, feed_path(feed_column, "atom"))
    links = [link for link in _entry(parsed, feed_articles[0].title).links if link.rel == "enclosure"]
    assert len(links) == 1 and links[0].href.startswith(f"http://{reader_host}/")


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_full_text_is_a_site_setting(client, reader_host, feed_column, feed_articles, kind):
    older = feed_articles[1]
    _response, parsed = parse(client, feed_path(feed_column, kind))
    assert "content" not in _entry(parsed, older.title)

    enable_full_text()
    _response, parsed = parse(client, feed_path(feed_column, kind))
    entry = _entry(parsed, older.title)
    assert entry.summary == "较早文章的摘要。"
    content = entry.content[0].value
    assert "正文第一段" in content
    # Links in the body point at the reader's host, not at a relative path.
    assert f'href="http://{reader_host}/search/"' in content


def test_json_feed_structure(client, reader_host, feed_column, feed_articles):
    newer, older = feed_articles
    response = client.get(feed_path(feed_column, "json"), HTTP_HOST=reader_host)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/feed+json")
    assert "max-age=600" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["home_page_url"] == f"http://{reader_host}{feed_column.url}"
    assert data["feed_url"] == f"http://{reader_host}{feed_path(feed_column, 'json')}"
    first, second = data["items"]
    assert first["title"] == newer.title and second["title"] == older.title
    assert first["id"] == f"urn:uuid:{newer.translation_key}"
    assert first["url"] == f"http://{reader_host}{newer.url}"
    assert first["summary"] == first["content_text"] == "较新文章的摘要。"
    assert "content_html" not in first
    assert first["image"].startswith(f"http://{reader_host}/")
    assert "image" not in second
    assert datetime.datetime.fromisoformat(first["date_published"]).date() == datetime.date(2026, 6, 9)
    assert datetime.datetime.fromisoformat(first["date_modified"]) >= datetime.datetime.fromisoformat(
        first["date_published"]
    )
    assert first["authors"] == [{"name": newer.author}]
    assert isinstance(first["tags"], list)

    enable_full_text()
    second = json.loads(client.get(feed_path(feed_column, "json"), HTTP_HOST=reader_host).content)["items"][1]
    assert "正文第一段" in second["content_html"] and "content_text" not in second


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_site_feed_covers_every_column(client, reader_host, home_page, kind):
    # Dated after anything the demo content holds, so both are among the newest 20.
    first = ColumnIndexPageFactory(parent=home_page, slug="feed-first", title="第一个专栏")
    second = ColumnIndexPageFactory(parent=home_page, slug="feed-second", title="第二个专栏", is_archived=True)
    older = ArticlePageFactory(
        parent=first, slug="feed-a", title="订阅测试：甲", publish_date=datetime.date(2031, 1, 1)
    )
    newer = ArticlePageFactory(
        parent=second, slug="feed-b", title="订阅测试：乙", publish_date=datetime.date(2031, 1, 2)
    )
    _response, parsed = parse(client, feed_path(home_page, kind))
    assert parsed.feed.title == SiteIdentity.objects.get().site_name
    assert parsed.feed.link == f"http://{reader_host}/"
    titles = [entry.title for entry in parsed.entries]
    assert titles[:2] == [newer.title, older.title]
    assert len(titles) <= 20


def test_an_archived_column_still_has_feeds(client, reader_host, home_page):
    archived = ColumnIndexPageFactory(parent=home_page, slug="feed-archived", is_archived=True)
    article = ArticlePageFactory(parent=archived, slug="feed-archived-article", title="订阅测试：历史专题")
    for kind in ("rss", "atom"):
        _response, parsed = parse(client, feed_path(archived, kind))
        assert [entry.title for entry in parsed.entries] == [article.title]
    items = json.loads(client.get(feed_path(archived, "json"), HTTP_HOST=reader_host).content)["items"]
    assert [item["title"] for item in items] == [article.title]


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
@pytest.mark.parametrize(
    "params",
    # (Control characters are refused with a 400 before any view: tests/security.)
    [{"page": "-1"}, {"topic": "<script>"}, {"format": "../../etc/passwd"}, {"limit": "9" * 40}],
)
def test_hostile_query_values_are_ignored(client, reader_host, feed_column, feed_articles, kind, params):
    response = client.get(feed_path(feed_column, kind), params, HTTP_HOST=reader_host)
    assert response.status_code == 200


def _alternates(response):
    assert response.status_code == 200
    found = ALTERNATE.findall(response.content.decode())
    # Other alternates (oEmbed, calendars) are not feeds of articles.
    return {(media_type, href) for media_type, _title, href in found if media_type in FEED_TYPES}


def _feed_links(page, host):
    return {
        ("application/rss+xml", f"http://{host}{feed_path(page, 'rss')}"),
        ("application/atom+xml", f"http://{host}{feed_path(page, 'atom')}"),
        ("application/feed+json", f"http://{host}{feed_path(page, 'json')}"),
    }


def test_pages_link_their_feeds(client, reader_host, home_page, feed_column, feed_articles):
    site_feeds = _feed_links(home_page, reader_host)
    column_feeds = _feed_links(feed_column, reader_host)
    assert _alternates(client.get(home_page.url, HTTP_HOST=reader_host)) == site_feeds
    assert _alternates(client.get(feed_column.url, HTTP_HOST=reader_host)) == site_feeds | column_feeds
    assert _alternates(client.get(feed_articles[0].url, HTTP_HOST=reader_host)) == site_feeds | column_feeds


def _feed_queries(client, column, covers):
    for number in range(covers):
        ArticlePageFactory(
            parent=column,
            slug=f"feed-cover-{column.pk}-{number}",
            cover_image=PosterImageFactory(title=f"封面{number}"),
            cover_alt_text="封面",
        )
    path = feed_path(column, "rss")
    client.get(path, HTTP_HOST=READER_HOST)  # renditions made once, as on any live site
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, HTTP_HOST=READER_HOST).status_code == 200
    return len(queries)


def test_a_feeds_queries_do_not_grow_with_its_covers(client, reader_host, home_page):
    few = _feed_queries(client, ColumnIndexPageFactory(parent=home_page, slug="feed-few"), 2)
    many = _feed_queries(client, ColumnIndexPageFactory(parent=home_page, slug="feed-many"), 8)
    assert many == few
