"""Embedding: which origins an outlet may list, who may frame the embed pages (and nobody may
frame the rest), what an embed page shows, and the admin's 嵌入代码 page."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import PageViewRestriction

from core import embedding
from core.middleware import SecureCookiesMiddleware
from core.models import MediaOutlet
from core.outlets import normalise_origin, normalise_origins
from home.cache import HIT_HEADER
from home.factories import ArticlePageFactory
from tests.framing import frame_ancestors

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_own_outlets")]


# --- Origins -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://news.example.cn", "https://news.example.cn"),
        ("HTTPS://News.Example.CN/", "https://news.example.cn"),
        ("https://news.example.cn:443", "https://news.example.cn"),
        ("http://127.0.0.2:8080", "http://127.0.0.2:8080"),
        ("http://localhost:80", "http://localhost"),
        ("https://新闻.cn", "https://xn--efvy88h.cn"),
    ],
)
def test_an_origin_is_stored_normalised(typed, stored):
    assert normalise_origin(typed) == stored


@pytest.mark.parametrize(
    "hostile",
    [
        "news.example.cn",
        "https://news.example.cn/embed",
        "https://news.example.cn/?x=1",
        "https://news.example.cn#top",
        "https://*.example.cn",
        "*",
        "'self'",
        "https://news.example.cn 'unsafe-inline'",
        "https://news.example.cn;script-src *",
        "https://new s.example.cn",
        "https://news.example.cn\x00",
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://news.example.cn",
        "https://user@news.example.cn",
        "https://news.example.cn:0",
        "https://news.example.cn:65536",
        "https://news.example.cn:８０",
        "https://-news.example.cn",
        "https://news..example.cn",
        "https://300.1.1.1",
        "https://[::1]",
        "https://",
        "",
    ],
)
def test_anything_but_a_plain_origin_is_refused(hostile):
    assert normalise_origin(hostile) is None


def test_every_bad_line_is_named_and_duplicates_are_dropped():
    assert normalise_origins("https://a.example.cn\n\n  https://A.example.cn/ \nhttp://b.example.cn:8080") == [
        "https://a.example.cn",
        "http://b.example.cn:8080",
    ]
    with pytest.raises(ValidationError) as error:
        normalise_origins("https://a.example.cn\njavascript:alert(1)\nhttps://b.example.cn/path")
    messages = error.value.message_dict["allowed_origins"]
    assert len(messages) == 2
    assert "第 2 行" in messages[0] and "第 3 行" in messages[1]


def test_an_outlet_is_cleaned_to_its_normalised_origins():
    outlet = MediaOutlet(name="莱西新闻网", allowed_origins="HTTPS://News.Example.CN/\r\nhttp://127.0.0.2:8080")
    outlet.full_clean()
    assert outlet.origins == ["https://news.example.cn", "http://127.0.0.2:8080"]
    with pytest.raises(ValidationError):
        MediaOutlet(name="坏来源", allowed_origins="https://x.example.cn/embed").full_clean()


def test_the_database_refuses_an_outlet_without_a_name():
    with pytest.raises(IntegrityError), transaction.atomic():
        MediaOutlet.objects.create(name="")


# --- Who may frame what ------------------------------------------------------------------------


def test_embed_page_may_be_framed_by_exactly_the_active_outlets(client, own_article):
    MediaOutlet.objects.create(name="甲", allowed_origins="https://a.example.cn\nhttp://127.0.0.2:8080")
    MediaOutlet.objects.create(name="乙", allowed_origins="https://b.example.cn")
    MediaOutlet.objects.create(name="停用", allowed_origins="https://off.example.cn", is_active=False)
    response = client.get(embedding.embed_path(own_article))
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == [
        "'self'",
        "http://127.0.0.2:8080",
        "https://a.example.cn",
        "https://b.example.cn",
    ]


def test_without_an_active_outlet_only_the_site_may_frame_an_embed(client, own_article):
    MediaOutlet.objects.create(name="停用", allowed_origins="https://off.example.cn", is_active=False)
    response = client.get(embedding.embed_path(own_article))
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == ["'self'"]


def test_every_other_page_stays_unframeable(client, own_article, own_column):
    MediaOutlet.objects.create(name="甲", allowed_origins="https://a.example.cn")
    for url in (own_article.url, own_column.url, "/", reverse("oembed") + "?url=x"):
        response = client.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert frame_ancestors(response) == ["'self'"], url


def test_changing_an_outlet_changes_the_next_embed_response(client, own_article):
    path = embedding.embed_path(own_article)
    assert frame_ancestors(client.get(path)) == ["'self'"]  # now cached
    outlet = MediaOutlet.objects.create(name="甲", allowed_origins="https://a.example.cn")
    assert frame_ancestors(client.get(path)) == ["'self'", "https://a.example.cn"]
    outlet.is_active = False
    outlet.save()
    assert frame_ancestors(client.get(path)) == ["'self'"]
    outlet.is_active = True
    outlet.save()
    assert frame_ancestors(client.get(path)) == ["'self'", "https://a.example.cn"]
    outlet.delete()
    assert frame_ancestors(client.get(path)) == ["'self'"]


def test_the_page_cache_never_keeps_an_embed_response(client, own_article, settings):
    settings.PAGE_CACHE_SECONDS = 600
    path = embedding.embed_path(own_article)
    first, second = client.get(path), client.get(path)
    assert HIT_HEADER not in first and HIT_HEADER not in second
    assert "no-cache" in second["Cache-Control"]


# --- What an embed page is ---------------------------------------------------------------------


def test_article_embed_is_the_article_without_the_site_chrome(client, own_article):
    html = client.get(embedding.embed_path(own_article)).content.decode()
    assert own_article.title in html and own_article.summary in html and "各镇街深入企业" in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<base target="_blank">' in html
    full_url = "http://testserver" + own_article.url
    assert f'<a href="{full_url}" target="_blank" rel="noopener">在莱西市安全生产宣传教育平台打开</a>' in html
    assert f'<link rel="canonical" href="{full_url}">' in html
    assert 'class="site-header' not in html and 'class="site-nav' not in html
    assert "js/embed-frame.js" in html


def test_embed_page_loads_nothing_from_another_host(client, own_article):
    html = client.get(embedding.embed_path(own_article)).content.decode()
    hosts = set(re.findall(r'(?:src|href)="((?:[a-z]+:)?//[^/"]*)', html))
    assert hosts <= {"http://testserver"}, hosts
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", html)  # no inline script


def test_column_embed_lists_its_articles_and_pages_within_the_frame(client, own_column):
    articles = [ArticlePageFactory(parent=own_column) for _ in range(11)]
    html = client.get(embedding.embed_path(own_column)).content.decode()
    assert own_column.title in html
    assert 'href="?page=2" rel="next" target="_self"' in html
    second = client.get(embedding.embed_path(own_column), {"page": "2"}).content.decode()
    # Ten on the first page, the eleventh on the second (which one depends on the factories' dates).
    shown = [f">{article.title}</a>" for article in articles]
    assert sorted((title in html, title in second) for title in shown) == [
        (False, True),
        *[(True, False)] * 10,
    ]


@pytest.mark.parametrize("page_id", ["abc", "0", "99999999999", "1.5", "٣"])
def test_embed_of_no_page_is_404(client, page_id):
    assert client.get(f"/embed/page/{page_id}/").status_code == 404


def test_only_live_public_pages_of_embeddable_types_embed(client, own_column, home_page):
    draft = ArticlePageFactory(parent=own_column, live=False)
    private = ArticlePageFactory(parent=own_column)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    for page in (draft, private, home_page):
        assert client.get(embedding.embed_path(page)).status_code == 404, page


def test_embed_pages_only_answer_reads(client, own_article):
    assert client.post(embedding.embed_path(own_article)).status_code == 405


# --- The 嵌入代码 page and the discovery link ------------------------------------------------------


def test_staff_copy_the_embed_code_from_the_admin(client, own_article):
    MediaOutlet.objects.create(name="莱西新闻网", allowed_origins="https://news.example.cn")
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("core_embed_code", args=[own_article.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<textarea" in html and "readonly" in html
    assert f"&lt;iframe src=&quot;http://localhost{embedding.embed_path(own_article)}&quot;" in html
    assert "/static/js/embed-resize.js" in html
    assert "莱西新闻网" in html and "https://news.example.cn" in html
    # The page's header offers the way there.
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[own_article.pk])).content.decode()
    assert reverse("core_embed_code", args=[own_article.pk]) in edit


def test_a_page_that_cannot_be_embedded_has_no_embed_code(client, home_page):
    client.force_login(get_user_model().objects.get(username="admin"))
    assert client.get(reverse("core_embed_code", args=[home_page.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, own_article):
    response = client.get(reverse("core_embed_code", args=[own_article.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_discovery_link_points_at_the_oembed_answer(client, own_article, home_page):
    request = client.get(own_article.url).wsgi_request
    link = render_to_string("includes/oembed_discovery.html", {"page": own_article, "request": request})
    assert link.startswith('<link rel="alternate" type="application/json+oembed" href="http://testserver/oembed/?url=')
    href = re.search(r'href="([^"]+)"', link)[1].replace("&amp;", "&")
    answer = client.get(href)
    assert answer.status_code == 200 and answer.json()["title"] == own_article.title
    assert render_to_string("includes/oembed_discovery.html", {"page": home_page, "request": request}).strip() == ""


# --- Cookies in a third-party frame --------------------------------------------------------------


def _cookie_headers(embedded, settings, secure_all=False):
    settings.SECURE_ALL_COOKIES = secure_all

    def view(request):
        if embedded:
            request.embed = object()
        response = HttpResponse()
        response.set_cookie("participant", "x", samesite="Lax", httponly=True)
        return response

    response = SecureCookiesMiddleware(view)(RequestFactory().get("/"))
    return response.cookies["participant"].output(header="").strip()


def test_cookies_set_on_an_embed_route_survive_a_third_party_frame(settings):
    # Chromium sends a framed page only SameSite=None; Secure cookies, and keeps them at all
    # (third-party cookies blocked) only when Partitioned.
    header = _cookie_headers(True, settings)
    assert "SameSite=None" in header and "Secure" in header and header.endswith("; Partitioned")
    assert "HttpOnly" in header and "participant=x" in header


@pytest.mark.parametrize("secure_all", [False, True])
def test_cookies_elsewhere_stay_lax_and_unpartitioned(settings, secure_all):
    header = _cookie_headers(False, settings, secure_all)
    assert "SameSite=Lax" in header and "Partitioned" not in header
    assert ("Secure" in header) is secure_all
