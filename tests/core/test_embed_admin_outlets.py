"""An outlet's own 嵌入代码: chosen on a page's 嵌入代码 page, or reached from the outlet in 合作媒体
through the list of pages it can embed; the code it gives frames the page through the outlet."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core import embedding
from core.models import MediaOutlet
from events.factories import EventIndexPageFactory, EventPageFactory
from home.factories import ArticlePageFactory
from quizzes.factories import ContestIndexPageFactory, ContestPageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_own_outlets")]

OUTLET_MISSING = "没有找到这个合作媒体，或它已停用"


@pytest.fixture
def editor(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


@pytest.fixture
def outlet(db):
    return MediaOutlet.objects.create(name="莱西新闻网", allowed_origins="https://news.example.cn")


@pytest.fixture
def other_outlet(db):
    return MediaOutlet.objects.create(name="青岛晚报", allowed_origins="https://wb.example.cn")


def _snippet(html):
    return unescape(re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', html, re.S)[1])


def _code_url(page, outlet=None):
    url = reverse("core_embed_code", args=[page.pk])
    return f"{url}?outlet={outlet.pk}" if outlet else url


def test_the_editor_picks_an_outlet_and_copies_its_own_code(editor, outlet, other_outlet, own_article):
    generic = editor.get(_code_url(own_article)).content.decode()
    assert f'src="http://localhost/embed/page/{own_article.pk}/"' in _snippet(generic)
    # Links to each outlet's code, no JavaScript needed.
    assert f'href="{_code_url(own_article, outlet)}"' in generic.replace("&amp;", "&")
    assert f'href="{_code_url(own_article, other_outlet)}"' in generic.replace("&amp;", "&")

    response = editor.get(_code_url(own_article, outlet))
    assert response.status_code == 200
    html = response.content.decode()
    snippet = _snippet(html)
    assert f'<iframe src="http://localhost/embed/outlet/{outlet.pk}/page/{own_article.pk}/"' in snippet
    assert "/static/js/embed-resize.js" in snippet
    assert "粘贴到“莱西新闻网”网页的 HTML 中" in html
    assert "允许嵌入的来源" in html and "https://news.example.cn" in html
    assert f'href="http://localhost{embedding.embed_path(own_article, outlet)}"' in html  # the preview
    assert f'href="{_code_url(own_article, other_outlet)}"' in html.replace("&amp;", "&")
    assert f'href="{_code_url(own_article)}"' in html  # back to the generic code


def test_the_outlets_code_frames_the_page_through_it(editor, client, outlet, own_article):
    snippet = _snippet(editor.get(_code_url(own_article, outlet)).content.decode())
    path = re.search(r'src="http://localhost(/embed/[^"]+)"', snippet)[1]
    client.logout()
    response = client.get(path)
    assert response.status_code == 200 and own_article.title in response.content.decode()


@pytest.mark.parametrize("hostile", ["abc", "0", "-1", "1.5", "²", "٣", "99999999999", "9" * 40, "<b>", "x" * 500])
def test_an_outlet_that_is_no_outlet_is_a_chinese_404(editor, own_article, hostile):
    response = editor.get(reverse("core_embed_code", args=[own_article.pk]), {"outlet": hostile})
    assert response.status_code == 404
    assert OUTLET_MISSING in response.content.decode()


def test_an_inactive_outlet_has_no_code(editor, outlet, own_article):
    outlet.is_active = False
    outlet.save()
    assert editor.get(_code_url(own_article, outlet)).status_code == 404
    assert "莱西新闻网" not in editor.get(_code_url(own_article)).content.decode()
    assert editor.get(reverse("core_outlet_embed_pages", args=[outlet.pk])).status_code == 404


def test_from_the_outlet_in_the_admin_to_its_pages_codes(editor, outlet, home_page, own_column, own_article):
    contest = ContestPageFactory(parent=ContestIndexPageFactory(parent=home_page), title="测试媒体答题")
    event = EventPageFactory(parent=EventIndexPageFactory(parent=home_page), title="测试媒体活动")
    listing = editor.get(reverse("wagtailsnippets_core_mediaoutlet:list")).content.decode()
    pages_url = reverse("core_outlet_embed_pages", args=[outlet.pk])
    assert f'href="{pages_url}"' in listing

    response = editor.get(pages_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "粘贴到该媒体网页的 HTML 中" in html and "https://news.example.cn" in html
    for page in (contest, event, own_column, own_article):
        html = editor.get(pages_url, {"q": page.title}).content.decode().replace("&amp;", "&")
        assert page.title in html
        assert f'href="{_code_url(page, outlet)}"' in html


def test_the_outlets_pages_are_found_by_title(editor, outlet, own_column, own_article):
    other = ArticlePageFactory(parent=own_column, title="冬季燃气安全")
    draft = ArticlePageFactory(parent=own_column, title="冬季用电安全（草稿）", live=False)
    url = reverse("core_outlet_embed_pages", args=[outlet.pk])
    html = editor.get(url, {"q": "冬季"}).content.decode()
    assert other.title in html and own_article.title not in html and draft.title not in html
    assert "没有标题中含有这些字的可嵌入页面" in editor.get(url, {"q": "燃气" * 300}).content.decode()


@pytest.mark.parametrize("hostile", ["abc", "0", "²", "99999999999"])
def test_the_pages_of_no_outlet_are_a_chinese_404(editor, hostile):
    response = editor.get(reverse("core_outlet_embed_pages", args=[hostile]))
    assert response.status_code == 404 and OUTLET_MISSING in response.content.decode()


def test_an_inactive_outlet_offers_no_code_in_the_listing(editor, outlet):
    outlet.is_active = False
    outlet.save()
    listing = editor.get(reverse("wagtailsnippets_core_mediaoutlet:list")).content.decode()
    assert reverse("core_outlet_embed_pages", args=[outlet.pk]) not in listing


def test_anonymous_visitors_are_sent_to_sign_in(client, outlet):
    response = client.get(reverse("core_outlet_embed_pages", args=[outlet.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
