"""What a reader sees on the home page, the column listing and an article."""

import json
import re

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailTestUtils

from home.factories import ArticlePageFactory
from home.models import ArticlePage, ColumnIndexPage, HomePage, Topic

pytestmark = pytest.mark.django_db


def _json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "page has no JSON-LD"
    return json.loads(match.group(1))


def test_home_page_shows_campaign_theme_and_latest_articles(client, home_page, column):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "人人讲安全、个个会应急" in html
    newest = ArticlePage.objects.child_of(column).live().order_by("-publish_date").first()
    assert newest.title in html
    assert "历史专题" in html  # the 2025 column is listed and marked


def test_column_lists_ten_articles_per_page_newest_first(client, column):
    response = client.get(column.url)
    articles = list(response.context["articles"])
    assert response.status_code == 200
    assert len(articles) == 10
    dates = [a.publish_date for a in articles]
    assert dates == sorted(dates, reverse=True)
    assert response.context["page_obj"].paginator.count == ArticlePage.objects.child_of(column).live().count()


def test_listing_filters_by_topic_and_audience(client, column):
    response = client.get(column.url, {"topic": "gas", "audience": "residents"})
    articles = response.context["articles"]
    assert response.status_code == 200
    assert len(articles) >= 1
    for article in articles:
        assert "gas" in {t.slug for t in article.topics.all()}
        assert "residents" in {a.slug for a in article.audiences.all()}
    assert "燃气" in response.content.decode()


@pytest.mark.parametrize("page_param", ["abc", "99999", "-1", "0", "1.5", "９", "%00"])
def test_bad_page_numbers_still_show_a_page(client, column, page_param):
    response = client.get(column.url, {"page": page_param})
    assert response.status_code == 200
    assert response.context["articles"]


@pytest.mark.parametrize("params", [{"topic": "no-such-topic"}, {"audience": "aliens"}, {"topic": "x" * 500}])
def test_unknown_filter_is_a_404_with_a_chinese_message(client, column, params):
    response = client.get(column.url, params)
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


def test_unknown_url_is_a_chinese_404(client, home_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_article_shows_source_editor_date_topics_and_body_blocks(client, article):
    response = client.get(article.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"来源：{article.source}" in html
    assert f"责任编辑：{article.editor}" in html
    assert "2026年6月1日" in html
    assert "知识卡片" in html  # the knowledge card block renders
    assert 'class="block-quote"' in html
    for topic in article.topics.all():
        assert topic.name in html


def test_related_articles_share_a_topic_and_exclude_the_article_itself(client, column):
    gas_article = ArticlePage.objects.child_of(column).filter(topics__slug="gas").first()
    response = client.get(gas_article.url)
    related = response.context["related_articles"]
    assert related, "a gas article has other gas articles to relate to"
    assert gas_article not in related
    gas_topic_ids = set(gas_article.topics.values_list("pk", flat=True))
    for other in related:
        assert gas_topic_ids & set(other.topics.values_list("pk", flat=True))


def test_print_view_has_article_without_site_chrome(client, article):
    response = client.get(article.url + "print/")
    html = response.content.decode()
    assert response.status_code == 200
    assert article.title in html
    assert "原文地址" in html
    assert "site-header" not in html
    assert 'name="robots" content="noindex"' in html


def test_archived_column_and_its_articles_are_readable_and_marked(client, archived_column):
    listing = client.get(archived_column.url)
    assert listing.status_code == 200
    assert "历史专题" in listing.content.decode()
    archived_article = ArticlePage.objects.child_of(archived_column).first()
    response = client.get(archived_article.url)
    assert response.status_code == 200
    assert "本文所在栏目已归档" in response.content.decode()


def test_government_meta_tags_and_canonical_url_on_an_article(client, article, column):
    html = client.get(article.url).content.decode()
    for tag, value in [
        ("SiteName", "莱西市安全生产宣传教育平台"),
        ("SiteIDCode", "3702850000"),
        ("ColumnName", column.title),
        ("ArticleTitle", article.title),
        ("PubDate", "2026-06-01"),
        ("ContentSource", article.source),
    ]:
        assert f'<meta name="{tag}" content="{value}">' in html
    assert '<meta name="SiteDomain" content="testserver">' in html
    assert re.search(r'<meta name="Keywords" content="[^"]*安全生产', html)
    assert re.search(r'<meta name="Description" content="[^"]+">', html)
    assert f'<link rel="canonical" href="http://testserver{article.url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:image" content="http://testserver/' in html


def test_article_json_ld_is_a_news_article(client, article):
    data = _json_ld(client.get(article.url).content.decode())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == article.title
    assert data["datePublished"] == "2026-06-01"
    assert data["editor"] == article.editor
    assert data["publisher"]["name"] == "莱西市安全生产委员会办公室"
    assert data["image"][0].startswith("http://testserver/")


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, column, home_page):
    article = ArticlePageFactory(
        parent=column, title="</script><script>alert(1)</script>", topics=[Topic.objects.first()]
    )
    html = client.get(article.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert _json_ld(html)["headline"] == article.title


def test_home_page_json_ld_is_a_web_page(client, home_page):
    assert _json_ld(client.get("/").content.decode())["@type"] == "WebPage"


def test_footer_shows_site_identity(client, home_page):
    html = client.get("/").content.decode()
    for text in [
        "主办单位：莱西市安全生产委员会办公室",
        "承办单位：莱西市应急管理局",
        "网站标识码：3702850000",
        "ICP备",
        "公网安备",
        "党政机关网站标识",
    ]:
        assert text in html


class TestPageTree(WagtailTestUtils):
    def test_page_types_only_go_where_they_belong(self, db):
        self_root = Page
        assert HomePage.allowed_parent_page_models() == [self_root]
        assert ColumnIndexPage.allowed_parent_page_models() == [HomePage]
        assert ArticlePage.allowed_parent_page_models() == [ColumnIndexPage]
        assert ArticlePage.allowed_subpage_models() == []
        assert ColumnIndexPage.allowed_subpage_models() == [ArticlePage]
