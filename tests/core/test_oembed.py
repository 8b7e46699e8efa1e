"""The oEmbed provider, read against the 1.0 spec (https://oembed.com) and by a real consumer.

micawber fetches the endpoint with urllib; here its module-level ``fetch`` goes through Django's
test client instead of a socket, so the test runs in the test's transaction (the pages it makes
are visible) while everything micawber does with the answer is its own code."""

from urllib.error import HTTPError
from urllib.parse import urlsplit

import micawber
import pytest
from django.urls import reverse
from wagtail.models import PageViewRestriction

from core import embedding
from home.factories import ArticlePageFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_own_outlets")]
ENDPOINT = "http://testserver/oembed/"


def _full(page):
    return "http://testserver" + page.url


def _oembed(client, **params):
    return client.get(reverse("oembed"), params)


def test_rich_answer_per_the_spec(client, own_article):
    response = _oembed(client, url=_full(own_article), format="json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["type"] == "rich" and data["version"] == "1.0"
    assert data["title"] == own_article.title
    assert data["provider_name"] == "莱西市安全生产宣传教育平台"
    assert data["provider_url"] == "http://testserver/"
    assert (data["width"], data["height"]) == (embedding.DEFAULT_WIDTH, embedding.DEFAULT_HEIGHT)
    assert type(data["width"]) is int and type(data["height"]) is int and type(data["cache_age"]) is int
    html = data["html"]
    assert f'<iframe src="http://testserver{embedding.embed_path(own_article)}"' in html
    assert f'width="640" height="480" title="{own_article.title}" loading="lazy"' in html
    assert '<script src="http://testserver/static/js/embed-resize.js" async></script>' in html


def test_format_defaults_to_json_and_a_column_embeds_too(client, own_column):
    data = _oembed(client, url=_full(own_column) + "?topic=x#top").json()
    assert data["title"] == own_column.title
    assert embedding.embed_path(own_column) in data["html"]


def test_a_url_without_its_trailing_slash_is_the_same_page(client, own_article):
    assert _oembed(client, url=_full(own_article).rstrip("/")).status_code == 200


@pytest.mark.parametrize(
    ("params", "size"),
    [
        ({"maxwidth": "300"}, (300, 480)),
        ({"maxheight": "200"}, (640, 200)),
        ({"maxwidth": "320", "maxheight": "240"}, (320, 240)),
        ({"maxwidth": "5000", "maxheight": "5000"}, (640, 480)),
    ],
)
def test_maxwidth_and_maxheight_are_honoured(client, own_article, params, size):
    data = _oembed(client, url=_full(own_article), **params).json()
    assert (data["width"], data["height"]) == size
    assert f'width="{size[0]}" height="{size[1]}"' in data["html"]


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", " 7", "+7", "²", "٣", "1_000", "10001", ""])
@pytest.mark.parametrize("name", ["maxwidth", "maxheight"])
def test_a_bad_size_is_400(client, own_article, name, value):
    response = _oembed(client, url=_full(own_article), **{name: value})
    assert response.status_code == 400
    assert name in response.json()["error"]


def test_a_missing_url_is_400(client):
    assert _oembed(client, format="json").status_code == 400


def test_formats_other_than_json_are_501(client, own_article):
    for fmt in ("xml", "XML", "jsonp", ""):
        assert _oembed(client, url=_full(own_article), format=fmt).status_code == 501, fmt


def test_what_is_not_an_embeddable_live_page_here_is_404(client, own_column, home_page):
    draft = ArticlePageFactory(parent=own_column, live=False)
    private = ArticlePageFactory(parent=own_column)
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    article_path = urlsplit(_full(ArticlePageFactory(parent=own_column))).path
    for url in (
        "https://elsewhere.example.cn" + article_path,
        "http://testserver.example.cn" + article_path,
        "//testserver" + article_path,
        "javascript:alert(1)",
        "ftp://testserver" + article_path,
        "http://[testserver" + article_path,
        "http://testserver/no-such-page/",
        "http://testserver" + article_path + "print/",
        _full(draft),
        _full(private),
        _full(home_page),
        "http://testserver/" + "a/" * 1200,
        "not a url",
    ):
        response = _oembed(client, url=url)
        assert response.status_code == 404, url
        assert response.json()["error"]


def test_oembed_answers_only_reads(client, own_article):
    assert client.post(reverse("oembed") + "?url=" + _full(own_article)).status_code == 405


@pytest.fixture
def micawber_over_test_client(client, monkeypatch):
    """micawber's transport, swapped for the test client: same URL, status and body."""

    def fetch(request, timeout=None, max_bytes=None):
        response = client.get(request.full_url, HTTP_USER_AGENT=request.get_header("User-agent"))
        if response.status_code != 200:
            raise HTTPError(request.full_url, response.status_code, "error", {}, None)
        return response.content.decode("utf-8")

    monkeypatch.setattr(micawber.providers, "fetch", fetch)
    registry = micawber.ProviderRegistry()
    registry.register(r"http://testserver/\S+", micawber.Provider(ENDPOINT))
    return registry


def test_micawber_consumes_the_provider(micawber_over_test_client, own_article):
    data = micawber_over_test_client.request(_full(own_article), maxwidth=400)
    assert data["type"] == "rich" and data["title"] == own_article.title
    # micawber asks for maxheight = maxwidth × 16 / 9 when only maxwidth is given.
    assert (data["width"], data["height"]) == (400, 480)
    html = micawber_over_test_client.parse_text(f"请看：\n{_full(own_article)}\n")
    assert f'<iframe src="http://testserver{embedding.embed_path(own_article)}"' in html


def test_micawber_sees_404_for_a_page_that_is_not_ours(micawber_over_test_client):
    with pytest.raises(micawber.ProviderHTTPException) as error:
        micawber_over_test_client.request("http://testserver/no-such-page/")
    assert "404" in str(error.value) or getattr(error.value, "status", None) == 404


@pytest.mark.parametrize(
    "value",
    ["\x00", "http://testserver/\x00/", "%", "%00", "http://testserver/%ff/", "x" * 5000, "\u202e", "../../etc/passwd"],
)
@pytest.mark.parametrize("name", ["url", "format", "maxwidth"])
def test_hostile_parameters_get_a_4xx_never_a_500(client, own_article, name, value):
    params = {"url": _full(own_article), "format": "json", name: value}
    assert _oembed(client, **params).status_code in (400, 404, 501)


def test_embeddable_pages_announce_their_oembed_and_others_do_not(client, own_article, own_column, home_page):
    discovery = 'type="application/json+oembed"'
    for page in (own_article, own_column):
        html = client.get(page.url).content.decode()
        assert discovery in html and "oembed/?url=" in html
    assert discovery not in client.get(home_page.url).content.decode()
