"""The anonymous full-page cache: fast for readers, never stale after publishing, never shared
with editors or across reading preferences."""

import datetime
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpResponse
from django.test import override_settings
from wagtail.models import PageViewRestriction, Site

from home.cache import HIT_HEADER, AnonymousPageCacheMiddleware
from home.factories import ArticlePageFactory, TopicFactory
from home.models import ArticlePage, SiteIdentity

pytestmark = pytest.mark.django_db


def _get(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.status_code
    return response


def test_second_anonymous_request_is_served_from_cache(client, article):
    first = _get(client, article.url)
    second = _get(client, article.url)
    assert first[HIT_HEADER] == "miss"
    assert second[HIT_HEADER] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Content-Security-Policy" in second


def test_publishing_a_change_shows_at_once(client, column, home_page):
    # The newest article of all, so that the home page and the column's first page list it.
    newest = ArticlePage.objects.aggregate(newest=Max("publish_date"))["newest"]
    article = ArticlePageFactory(parent=column, publish_date=newest + datetime.timedelta(1))
    for url in (article.url, column.url, "/"):
        _get(client, url)
        assert _get(client, url)[HIT_HEADER] == "hit"
    article.title = "更新后的标题：安全生产月启动"
    article.save_revision().publish()
    for url in (article.url, column.url, "/"):
        response = _get(client, url)
        assert response[HIT_HEADER] == "miss"
        assert "更新后的标题" in response.content.decode()


def test_unpublished_page_is_gone_at_once(client, article):
    _get(client, article.url)
    article.unpublish()
    assert client.get(article.url).status_code == 404


def test_deleted_page_is_gone_at_once(client, article):
    url = article.url
    _get(client, url)
    article.delete()
    assert client.get(url).status_code == 404


def test_new_view_restriction_applies_at_once(client, article):
    _get(client, article.url)
    _get(client, article.url)
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.PASSWORD, password="s3cret")
    response = client.get(article.url)
    assert HIT_HEADER not in response or response[HIT_HEADER] != "hit"
    assert "知识卡片" not in response.content.decode()


def test_site_settings_change_shows_at_once(client, site, home_page):
    _get(client, "/")
    identity = SiteIdentity.for_site(site)
    identity.organizer = "莱西市应急管理局宣传科"
    identity.save()
    assert "承办单位：莱西市应急管理局宣传科" in _get(client, "/").content.decode()


def test_logged_in_editors_never_get_or_fill_the_cache(client, article):
    _get(client, article.url)  # cached for the public
    editor = get_user_model().objects.get(username="admin")
    client.force_login(editor)
    response = _get(client, article.url)
    assert HIT_HEADER not in response
    client.logout()
    client.cookies.clear()
    assert _get(client, article.url)[HIT_HEADER] == "hit"


def test_a_reader_with_a_csrf_cookie_is_not_served_from_cache(client, article):
    _get(client, article.url)
    client.cookies["csrftoken"] = "x" * 32
    assert HIT_HEADER not in _get(client, article.url)


def test_reading_preferences_are_cached_separately(client, article):
    normal = _get(client, article.url)
    client.cookies["reading"] = "large-high"
    large = _get(client, article.url)
    assert large[HIT_HEADER] == "miss"
    assert 'class="text-large contrast-high"' in large.content.decode()
    assert 'class="text-normal contrast-normal"' in normal.content.decode()


@pytest.mark.parametrize("url", ["/search/?q=燃气", "/no-such-page/", "/admin/login/"])
def test_search_errors_and_admin_are_not_cached(client, home_page, url):
    client.get(url)
    response = client.get(url)
    assert response.get(HIT_HEADER) != "hit"


def test_cache_can_be_switched_off(client, article):
    with override_settings(PAGE_CACHE_SECONDS=0):
        _get(client, article.url)
        assert HIT_HEADER not in _get(client, article.url)


def test_unknown_host_is_refused_not_cached(client, article):
    # The page is in the cache for the real host, and with one site Wagtail would serve it for
    # any host: only ALLOWED_HOSTS and the cache's own host check stand in the way.
    assert Site.objects.count() == 1
    _get(client, article.url)
    assert _get(client, article.url)[HIT_HEADER] == "hit"
    with mock.patch.object(cache, "set", wraps=cache.set) as cache_set:
        for _ in range(2):
            response = client.get(article.url, HTTP_HOST="evil.example.com")
            assert response.status_code == 400
            assert HIT_HEADER not in response
            assert article.title not in response.content.decode()
    assert not [call for call in cache_set.call_args_list if str(call.args[0]).startswith("pagecache:")]
    # The real host's copy is still there, untouched.
    assert _get(client, article.url)[HIT_HEADER] == "hit"


def test_forged_reading_cookies_share_the_normal_copy(client, article):
    _get(client, article.url)
    for forged in ("x" * 200, "huge-neon", "<script>", "normal-normal-normal"):
        client.cookies["reading"] = forged
        response = _get(client, article.url)
        assert response[HIT_HEADER] == "hit", forged
        assert 'class="text-normal contrast-normal"' in response.content.decode()


@pytest.mark.parametrize("cookie", ["participant", "join_unit"])
def test_participants_and_scanned_units_bypass_the_cache(client, article, cookie):
    _get(client, article.url)
    client.cookies[cookie] = "anything"
    assert HIT_HEADER not in _get(client, article.url)


def test_parameters_no_page_reads_share_one_copy(client, article):
    with mock.patch.object(cache, "set", wraps=cache.set) as cache_set:
        assert _get(client, f"{article.url}?utm_source=x")[HIT_HEADER] == "miss"
        for query in ("?utm_source=y", "?from=timeline&utm_medium=wechat", ""):
            assert _get(client, f"{article.url}{query}")[HIT_HEADER] == "hit", query
    assert len([call for call in cache_set.call_args_list if str(call.args[0]).startswith("pagecache:")]) == 1


def test_parameters_a_page_reads_are_cached_apart(client, column):
    topic = TopicFactory()  # no article has it yet

    unfiltered = _get(client, column.url)
    filtered = _get(client, f"{column.url}?topic={topic.slug}&utm_source=x")
    assert filtered[HIT_HEADER] == "miss"
    assert filtered.content != unfiltered.content
    assert _get(client, f"{column.url}?utm_source=y&topic={topic.slug}")[HIT_HEADER] == "hit"


def test_a_page_reading_another_parameter_is_not_stored(rf):
    def view(request):
        return HttpResponse(request.GET.get("next", "-"))

    middleware = AnonymousPageCacheMiddleware(view)
    assert middleware(rf.get("/somewhere/", {"next": "/a/"})).content == b"/a/"
    response = middleware(rf.get("/somewhere/", {"next": "/b/"}))
    assert response.content == b"/b/"
    assert HIT_HEADER not in response
