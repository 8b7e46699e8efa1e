"""Share cards: what a link to any public page shows when shared (Open Graph, Twitter, WeChat),
and the generated share image of a page without a cover.

Pages are made here with the factories, under the demo home page; the generated images go to a
media folder of the test's own.
"""

import html
import io
import re

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from PIL import Image
from wagtail.models import PageViewRestriction

from core.fonts import cjk_font_path
from events.factories import EventIndexPageFactory, EventPageFactory
from home import share_images
from home.factories import ArticlePageFactory, ColumnIndexPageFactory, PosterImageFactory
from home.models import SiteIdentity
from quizzes.factories import ContestIndexPageFactory, ContestPageFactory

pytestmark = pytest.mark.django_db

NO_FONT = "/nonexistent/font.ttc"


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _meta(html_text):
    """{property or name: content} of the page's meta tags."""
    found = re.findall(r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html_text)
    return {key: html.unescape(value) for key, value in found}


def _card(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return _meta(response.content.decode())


def _image(response):
    return Image.open(io.BytesIO(b"".join(response) if response.streaming else response.content))


@pytest.fixture
def column(home_page):
    return ColumnIndexPageFactory(parent=home_page, title="分享卡片测试专栏", intro="分享卡片测试专栏的简介。")


@pytest.fixture
def pages(home_page, column):
    """One page of each public type without a cover."""
    event_index = EventIndexPageFactory(parent=home_page, title="分享卡片测试活动")
    contest_index = ContestIndexPageFactory(parent=home_page, title="分享卡片测试答卷")
    return {
        "column": column,
        "article": ArticlePageFactory(parent=column, title="分享卡片测试：没有封面的文章", summary="没有封面的摘要。"),
        "event index": event_index,
        "event": EventPageFactory(parent=event_index, title="分享卡片测试：安全咨询日"),
        "contest index": contest_index,
        "contest": ContestPageFactory(parent=contest_index, title="分享卡片测试：安全知识答卷"),
    }


@pytest.mark.parametrize("kind", ["column", "article", "event index", "event", "contest index", "contest"])
def test_a_page_without_a_cover_shares_its_generated_image(client, site, pages, kind):
    page = pages[kind]
    card = _card(client, page.url)
    assert card["og:title"] == card["twitter:title"] == page.title
    assert card["og:url"] == f"http://testserver{page.url}"
    assert card["og:site_name"] == SiteIdentity.for_site(site).site_name
    assert card["og:locale"] == "zh_CN"
    assert card["twitter:card"] == "summary_large_image"
    assert card["og:description"] == card["twitter:description"]
    image_url = card["og:image"]
    assert re.fullmatch(rf"http://testserver/share/{page.pk}\.png\?v=[0-9a-f]{{16}}", image_url)
    assert card["twitter:image"] == image_url
    assert (card["og:image:width"], card["og:image:height"], card["og:image:type"]) == ("1200", "630", "image/png")
    assert card["og:image:alt"] == page.title

    response = client.get(image_url.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert _image(response).size == (1200, 630)


def test_descriptions_come_from_the_summary_or_intro(client, pages):
    assert _card(client, pages["article"].url)["og:description"] == "没有封面的摘要。"
    assert _card(client, pages["column"].url)["og:description"] == "分享卡片测试专栏的简介。"


def test_an_article_with_a_cover_shares_the_cover(client, column):
    article = ArticlePageFactory(
        parent=column,
        title="分享卡片测试：有封面的文章",
        cover_image=PosterImageFactory(),
        cover_alt_text="封面：演练现场",
    )
    card = _card(client, article.url)
    assert card["og:image"].startswith("http://testserver/")
    assert "/share/" not in card["og:image"]
    assert "fill-1200x630" in card["og:image"]
    assert card["twitter:image"] == card["og:image"]
    assert card["og:image:alt"] == "封面：演练现场"


def test_the_home_page_shares_its_banner_as_a_jpeg(client, home_page):
    home_page.banner_image = PosterImageFactory()
    home_page.banner_alt_text = "横幅：安全生产月"
    home_page.save_revision().publish()
    card = _card(client, "/")
    assert card["og:image"].startswith("http://testserver/") and card["og:image"].endswith(".jpg")
    assert card["og:image:type"] == "image/jpeg"
    assert card["og:image:alt"] == "横幅：安全生产月"
    with default_storage.open(card["og:image"].removeprefix("http://testserver/media/")) as rendition:
        image = Image.open(rendition)
        image.load()
    assert image.format == "JPEG"
    assert (card["og:image:width"], card["og:image:height"]) == tuple(str(side) for side in image.size)
    assert image.size[0] == 1200 and abs(image.size[1] - 630) <= 1  # Wagtail's fill rounds the crop


def test_a_missing_banner_file_falls_back_to_the_generated_image(client, home_page):
    banner = PosterImageFactory()
    home_page.banner_image = banner
    home_page.banner_alt_text = "横幅"
    home_page.save_revision().publish()
    banner.file.storage.delete(banner.file.name)
    assert f"/share/{home_page.pk}.png?v=" in _card(client, "/")["og:image"]


def test_a_new_title_gives_a_new_image_url_and_the_image_is_drawn_once(client, column, monkeypatch):
    article = ArticlePageFactory(parent=column, title="分享卡片测试：原来的标题")
    drawn = []
    draw = share_images.draw
    monkeypatch.setattr(share_images, "draw", lambda **kwargs: drawn.append(kwargs) or draw(**kwargs))

    first = _card(client, article.url)["og:image"].removeprefix("http://testserver")
    assert client.get(first).status_code == 200
    cache.clear()  # the page cache would answer too: this is the stored file
    assert client.get(first).status_code == 200
    assert [d["title"] for d in drawn] == ["分享卡片测试：原来的标题"]

    article.title = "分享卡片测试：改过的标题"
    article.save_revision().publish()
    second = _card(client, article.url)["og:image"].removeprefix("http://testserver")
    assert second != first
    assert client.get(second).status_code == 200
    assert [d["title"] for d in drawn] == ["分享卡片测试：原来的标题", "分享卡片测试：改过的标题"]


def test_a_new_site_name_gives_a_new_image_url(client, site, column):
    before = _card(client, column.url)["og:image"]
    identity = SiteIdentity.for_site(site)
    identity.site_name = "分享卡片测试平台"
    identity.save()
    after = _card(client, column.url)
    assert after["og:site_name"] == "分享卡片测试平台"
    assert after["og:image"] != before


def test_private_and_unpublished_pages_have_no_share_image(client, column):
    private = ArticlePageFactory(parent=column, title="分享卡片测试：内部通知")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    draft = ArticlePageFactory(parent=column, title="分享卡片测试：草稿")
    draft.unpublish()
    for page in (private, draft):
        response = client.get(f"/share/{page.pk}.png")
        assert response.status_code == 404
        assert "分享卡片测试" not in response.content.decode()


@pytest.mark.parametrize("page_id", ["0", "-1", "abc", "1.5", "1e3", "１２", "99999999999999999999", "2147483648"])
def test_ids_that_cannot_be_a_page_are_404(client, page_id):
    assert client.get(f"/share/{page_id}.png").status_code == 404


def test_the_site_root_above_the_home_page_has_no_share_image(client, home_page):
    assert client.get(f"/share/{home_page.get_parent().pk}.png").status_code == 404


def _white_pixels(image, box):
    colours = image.convert("RGB").crop(box).getcolors(maxcolors=1200 * 630)
    return sum(count for count, colour in colours if colour == (255, 255, 255))


def test_the_image_shows_the_title_and_without_a_cjk_font_a_plain_card(client, settings, column):
    with_font = _card(client, column.url)["og:image"].removeprefix("http://testserver")
    title_area = (0, 0, 1200, 500)
    assert _white_pixels(_image(client.get(with_font)), title_area) > 1000

    settings.CERTIFICATE_FONT_PATH = NO_FONT
    cache.clear()
    without_font = _card(client, column.url)["og:image"].removeprefix("http://testserver")
    assert without_font != with_font
    response = client.get(without_font)
    assert response.status_code == 200
    image = _image(response)
    assert image.size == (1200, 630)
    assert _white_pixels(image, title_area) == 0


def test_a_long_title_is_cut_to_three_lines_with_an_ellipsis():
    from PIL import ImageDraw, ImageFont

    canvas = ImageDraw.Draw(Image.new("RGB", share_images.SIZE))
    font = ImageFont.truetype(cjk_font_path(), 68)
    title = "关于开展安全生产月活动的通知" * 10
    lines = share_images._lines(canvas, title, font, 1020, 3)
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(canvas.textlength(line, font=font) <= 1020 for line in lines)
    assert "".join(lines).removesuffix("…") == title[: len("".join(lines)) - 1]


def test_titles_with_line_breaks_emoji_or_great_length_still_draw(client, column):
    for title in ("第一行\n第二行\t第三行", "🔥消防安全🧯" * 5, "A" * 255, "\u200b"):
        column.title = title
        column.save_revision().publish()
        image_url = _card(client, column.url)["og:image"].removeprefix("http://testserver")
        response = client.get(image_url)
        assert response.status_code == 200
        assert _image(response).size == (1200, 630)


def test_without_wechat_settings_no_page_loads_the_js_sdk(client, pages):
    for page in pages.values():
        response = client.get(page.url)
        assert "res.wx.qq.com" not in response.content.decode()
        assert "wechat-share.js" not in response.content.decode()
        assert "res.wx.qq.com" not in response["Content-Security-Policy"]


def test_an_unreadable_font_file_gives_the_plain_card(client, settings, tmp_path, column):
    broken = tmp_path / "broken.ttc"
    broken.write_bytes(b"not a font")
    settings.CERTIFICATE_FONT_PATH = str(broken)
    response = client.get(_card(client, column.url)["og:image"].removeprefix("http://testserver"))
    assert response.status_code == 200
    assert _white_pixels(_image(response), (0, 0, 1200, 500)) == 0
