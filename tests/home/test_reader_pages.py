"""What a reader finds on every page: the site navigation, page titles, the print view, the
previous/next links of an article, robots.txt and the favicon.

Pages with specific content are made here with the factories; the navigation tests also walk the
demo's page types (a column, the contests, the events), without relying on their slugs or counts.
"""

import datetime
import re

import pytest
from django.contrib.staticfiles import finders

from events.models import EventIndexPage, EventPage
from home.factories import ArticlePageFactory, ColumnIndexPageFactory
from home.models import ArticlePage, ColumnIndexPage, SiteIdentity
from quizzes.models import ContestIndexPage, ContestPage

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="site-nav" aria-label="网站导航">(.*?)</nav>', re.S)
NAV_LINK = re.compile(r'<a href="([^"]*)"(?: aria-current="(\w+)")?>([^<]*)</a>')
READER_HOST = "news.example.cn"


def navigation(response):
    """The navigation as a reader sees it: [(label, href, aria-current)], in order."""
    assert response.status_code in (200, 404), response.status_code
    match = NAV.search(response.content.decode())
    assert match, "the page has no site navigation"
    return [(label, href, current) for href, current, label in NAV_LINK.findall(match.group(1))]


def current_sections(response):
    return {label: current for label, _href, current in navigation(response) if current}


@pytest.fixture
def reader_host(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, READER_HOST]
    return READER_HOST


@pytest.fixture
def fresh_column(home_page):
    return ColumnIndexPageFactory(parent=home_page, slug="reader-column", title="读者测试专栏", campaign_year=2026)


def _article(column, day, **kwargs):
    return ArticlePageFactory(
        parent=column,
        slug=f"reader-{column.slug}-{day}",
        title=f"读者测试文章：6月{day}日",
        publish_date=datetime.date(2026, 6, day),
        **kwargs,
    )


# ---------------------------------------------------------------------------------------------
# Navigation


def test_navigation_lists_the_sections_in_order(client, home_page):
    nav = navigation(client.get("/"))
    assert [label for label, _href, _current in nav] == ["专栏", "活动", "答题", "搜索"]
    hrefs = {label: href for label, href, _current in nav}
    assert hrefs["活动"] == EventIndexPage.objects.live().child_of(home_page).first().url
    assert hrefs["答题"] == ContestIndexPage.objects.live().child_of(home_page).first().url
    assert hrefs["搜索"] == "/search/"
    # 专栏 opens the newest column that is not archived.
    newest = ColumnIndexPage.objects.child_of(home_page).live().filter(is_archived=False)
    assert hrefs["专栏"] == newest.order_by("-campaign_year", "path").first().url
    assert current_sections(client.get("/")) == {}


def _demo_pages(home_page):
    column = ColumnIndexPage.objects.child_of(home_page).live().filter(is_archived=False).order_by("path").first()
    archived = ColumnIndexPage.objects.child_of(home_page).live().filter(is_archived=True).first()
    events = EventIndexPage.objects.live().child_of(home_page).first()
    contests = ContestIndexPage.objects.live().child_of(home_page).first()
    return {
        "column": (column.url, {"专栏": "page"}),
        "article": (ArticlePage.objects.child_of(column).live().first().url, {"专栏": "true"}),
        "archived-column": (archived.url, {"专栏": "true"}),
        "events": (events.url, {"活动": "page"}),
        "events-calendar": (events.url + "calendar/", {"活动": "true"}),
        "event": (EventPage.objects.live().descendant_of(events).first().url, {"活动": "true"}),
        "contests": (contests.url, {"答题": "page"}),
        "contest": (ContestPage.objects.live().descendant_of(contests).first().url, {"答题": "true"}),
        "search": ("/search/?q=安全", {"搜索": "page"}),
        "search-empty": ("/search/", {"搜索": "page"}),
        "not-found": ("/no-such-page/", {}),
    }


@pytest.mark.parametrize(
    "name",
    [
        "column",
        "article",
        "archived-column",
        "events",
        "events-calendar",
        "event",
        "contests",
        "contest",
        "search",
        "search-empty",
        "not-found",
    ],
)
def test_every_page_type_has_the_navigation_with_its_section_marked(client, home_page, name):
    path, current = _demo_pages(home_page)[name]
    response = client.get(path)
    assert [label for label, _href, _current in navigation(response)] == ["专栏", "活动", "答题", "搜索"]
    assert current_sections(response) == current


def test_navigation_follows_a_newly_published_column(client, home_page):
    client.get("/")  # the navigation is now cached
    column = ColumnIndexPageFactory(parent=home_page, slug="reader-2027", title="2027年专栏", campaign_year=2027)
    column.save_revision().publish()
    hrefs = {label: href for label, href, _current in navigation(client.get("/"))}
    assert hrefs["专栏"] == column.url
    assert current_sections(client.get(column.url)) == {"专栏": "page"}


def test_print_view_has_no_navigation(client, fresh_column):
    article = _article(fresh_column, 3)
    assert 'class="site-nav"' not in client.get(article.url + "print/").content.decode()


# ---------------------------------------------------------------------------------------------
# Titles


def _title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_home_title_is_the_site_name_once(client, site, home_page):
    identity = SiteIdentity.for_site(site)
    assert _title(client.get("/")) == identity.site_name
    home_page.seo_title = "安全生产月：人人讲安全"
    home_page.save_revision().publish()
    assert _title(client.get("/")) == "安全生产月：人人讲安全"


def test_other_pages_add_the_site_name_after_their_own(client, site, fresh_column):
    identity = SiteIdentity.for_site(site)
    article = _article(fresh_column, 4)
    assert _title(client.get(article.url)) == f"{article.title} - {identity.site_name}"
    assert _title(client.get(fresh_column.url)) == f"{fresh_column.title} - {identity.site_name}"


# ---------------------------------------------------------------------------------------------
# Home page


def test_home_page_shows_contests_and_events_before_compact_article_list(client, home_page, fresh_column):
    html = client.get("/").content.decode()
    contests, events, latest = (html.index(f'id="{name}-heading"') for name in ("contests", "events", "latest"))
    assert contests < latest and events < latest
    assert 'class="article-list"' in html
    # Thumbnails are small renditions, not the listing-sized cards of before.
    thumbnails = re.findall(r'<img [^>]*class="article-thumb"[^>]*>', html)
    assert thumbnails and all("fill-176x132" in img and 'width="176"' in img for img in thumbnails)


def test_column_topic_chips_filter_and_mark_the_current_topic(client, column):
    html = client.get(column.url).content.decode()
    chips = re.search(r'<nav class="topic-filter" aria-label="按主题筛选">(.*?)</nav>', html, re.S).group(1)
    assert '<a href="' + column.url + '" aria-current="true">全部</a>' in chips
    first_topic = re.search(r'href="[^"]*\?topic=([\w-]+)"', chips).group(1)
    filtered = client.get(column.url, {"topic": first_topic}).content.decode()
    assert re.search(rf'href="[^"]*\?topic={first_topic}" aria-current="true"', filtered)


# ---------------------------------------------------------------------------------------------
# Previous / next


def test_article_links_to_the_newer_and_older_article_of_its_column(client, fresh_column, home_page):
    oldest, middle, newest = (_article(fresh_column, day) for day in (2, 5, 9))
    other_column = ColumnIndexPageFactory(parent=home_page, slug="reader-other", title="别的专栏")
    _article(other_column, 6)
    unpublished = _article(fresh_column, 7)
    unpublished.unpublish()

    html = client.get(middle.url).content.decode()
    assert f'<a href="{newest.url}" rel="prev"><span class="pager-label">上一篇</span>{newest.title}</a>' in html
    assert f'<a href="{oldest.url}" rel="next"><span class="pager-label">下一篇</span>{oldest.title}</a>' in html
    newest_html = client.get(newest.url).content.decode()
    assert 'rel="prev"' not in newest_html and f'href="{middle.url}" rel="next"' in newest_html
    oldest_html = client.get(oldest.url).content.decode()
    assert f'href="{middle.url}" rel="prev"' in oldest_html and 'rel="next"' not in oldest_html


def test_articles_of_the_same_day_follow_each_other(client, fresh_column):
    first, second = (
        _article(fresh_column, 3),
        ArticlePageFactory(parent=fresh_column, slug="reader-same-day", publish_date=datetime.date(2026, 6, 3)),
    )
    assert f'href="{first.url}" rel="next"' in client.get(second.url).content.decode()
    assert f'href="{second.url}" rel="prev"' in client.get(first.url).content.decode()


# ---------------------------------------------------------------------------------------------
# Print view


def test_print_view_names_the_host_the_reader_used(client, fresh_column, reader_host):
    article = _article(fresh_column, 8)
    html = client.get(article.url + "print/", HTTP_HOST=reader_host).content.decode()
    assert f"原文地址：http://{reader_host}{article.url}" in html
    assert f'<link rel="canonical" href="http://{reader_host}{article.url}">' in html
    assert "localhost" not in html


def test_print_view_has_a_way_back_and_a_print_button_for_javascript(client, fresh_column):
    article = _article(fresh_column, 8)
    html = client.get(article.url + "print/").content.decode()
    assert f'<a href="{article.url}">返回原文</a>' in html
    assert '<button type="button" class="print-button" data-print hidden>打印</button>' in html
    assert re.search(r'<script src="/static/js/print\.js" defer></script>', html)
    assert finders.find("js/print.js")


# ---------------------------------------------------------------------------------------------
# robots.txt and favicon


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_personal_pages(client, reader_host):
    response = client.get("/robots.txt", HTTP_HOST=reader_host)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in ("/admin/", "/answer-sheets/", "/units/join/", "/*/sheet/", "/*/registration/", "/*/register/"):
        assert f"Disallow: {path}" in lines
    assert f"Sitemap: http://{reader_host}/sitemap.xml" in lines


def test_favicon_ico_points_at_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("img/favicon.ico") and finders.find("img/favicon.svg")


def test_every_page_links_its_icon(client, home_page):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/img/favicon.ico" sizes="48x48">' in html
