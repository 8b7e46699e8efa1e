"""What a reader sees on the home page, the column listing and an article.

The columns and articles these tests look at are made here with the factories, under the demo
home page, so no change to the demo's articles, slugs or counts can break them.
"""

import datetime
import json
import re

import pytest
from django.db.models import Max
from wagtail.models import Page
from wagtail.test.utils import WagtailTestUtils

from home.factories import (
    ArticlePageFactory,
    AudienceFactory,
    ColumnIndexPageFactory,
    PosterImageFactory,
    TopicFactory,
    paragraphs_to_body,
)
from home.models import ArticlePage, ColumnIndexPage, HomePage, SiteIdentity

pytestmark = pytest.mark.django_db

LISTED_ARTICLES = 13  # 10 a page: pages of 10 and 3


def _json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match, "page has no JSON-LD"
    return json.loads(match.group(1))


@pytest.fixture
def identity(site):
    """The site's identity, set to values of the test's own."""
    identity = SiteIdentity.for_site(site)
    identity.site_name = "页面测试宣传教育平台"
    identity.host_organization = "页面测试主办单位"
    identity.organizer = "页面测试承办单位"
    identity.site_id_code = "1234567890"
    identity.icp_number = "测ICP备12345678号"
    identity.police_record_number = "测公网安备 12345678901234号"
    identity.government_label_url = "https://bszs.conac.cn/"
    identity.save()
    return identity


@pytest.fixture
def topics(db):
    return {
        "gas": TopicFactory(slug="pages-gas", name="燃气（页面测试）"),
        "fire": TopicFactory(slug="pages-fire", name="消防（页面测试）"),
    }


@pytest.fixture
def residents(db):
    return AudienceFactory(slug="pages-residents", name="居民（页面测试）")


@pytest.fixture
def fresh_column(home_page):
    return ColumnIndexPageFactory(parent=home_page, slug="pages-column", title="页面测试专栏")


@pytest.fixture
def listed(fresh_column):
    """LISTED_ARTICLES articles in the fresh column, created in shuffled date order; newest first."""
    days = [7, 2, 11, 0, 5, 12, 3, 9, 1, 10, 4, 8, 6]
    assert sorted(days) == list(range(LISTED_ARTICLES))
    for day in days:
        ArticlePageFactory(
            parent=fresh_column, slug=f"listed-{day}", publish_date=datetime.date(2026, 6, 1) + datetime.timedelta(day)
        )
    return list(ArticlePage.objects.child_of(fresh_column).order_by("-publish_date"))


@pytest.fixture
def fresh_article(fresh_column, topics):
    return ArticlePageFactory(
        parent=fresh_column,
        slug="pages-article",
        title="页面测试：燃气安全进社区",
        summary="网格员入户检查燃气管道，提醒居民安全用气。",
        body=paragraphs_to_body(
            ["检查人员逐户查看软管和阀门。", "发现隐患当场督促整改。"],
            knowledge_card={"title": "燃气安全小知识", "points": ["闻到异味先关阀门", "开窗通风", "到室外报警"]},
            quote={"text": "安全用气，人人有责。", "attribution": "页面测试燃气公司"},
        ),
        source="页面测试融媒体中心",
        editor="页面测试编辑",
        publish_date=datetime.date(2026, 6, 1),
        cover_image=PosterImageFactory(title="页面测试封面"),
        cover_alt_text="配图：页面测试",
        topics=[topics["gas"], topics["fire"]],
    )


def test_home_page_shows_campaign_theme_and_latest_articles(client, home_page, fresh_column):
    newest_date = ArticlePage.objects.aggregate(newest=Max("publish_date"))["newest"] + datetime.timedelta(1)
    newest = ArticlePageFactory(parent=fresh_column, title="页面测试：最新的一篇文章", publish_date=newest_date)
    archived = ColumnIndexPageFactory(parent=home_page, title="页面测试归档专栏", is_archived=True)
    html = client.get("/").content.decode()
    assert home_page.campaign_theme and f"<h1>{home_page.campaign_theme}</h1>" in html
    assert newest.title in html
    # The archived column is listed and marked; the fresh one is listed, unmarked.
    assert re.search(rf'<a href="[^"]*">{archived.title}</a><span class="badge">历史专题</span>', html)
    assert f'<a href="{fresh_column.url}">{fresh_column.title}</a></li>' in html


def test_column_lists_ten_articles_per_page_newest_first(client, fresh_column, listed):
    response = client.get(fresh_column.url)
    assert response.status_code == 200
    assert list(response.context["articles"]) == listed[:10]
    assert response.context["page_obj"].paginator.count == LISTED_ARTICLES
    assert f"共 {LISTED_ARTICLES} 篇" in response.content.decode()
    second = client.get(fresh_column.url, {"page": "2"})
    assert list(second.context["articles"]) == listed[10:]


def test_listing_filters_by_topic_and_audience(client, fresh_column, topics, residents):
    def article(slug, topic_names, audiences):
        return ArticlePageFactory(
            parent=fresh_column, slug=slug, topics=[topics[name] for name in topic_names], audiences=audiences
        )

    both = article("gas-for-residents", ["gas"], [residents])
    also_both = article("gas-and-fire-for-residents", ["gas", "fire"], [residents])
    article("gas-for-everyone", ["gas"], [])
    article("fire-for-residents", ["fire"], [residents])

    response = client.get(fresh_column.url, {"topic": "pages-gas", "audience": "pages-residents"})
    assert response.status_code == 200
    assert set(response.context["articles"]) == {both, also_both}
    assert f"共 2 篇，主题：{topics['gas'].name}，读者对象：{residents.name}" in response.content.decode()


# Paginator.get_page: a page number that is not a whole number gets the first page, one out of
# range (past the end, zero, negative) the last. int() reads the full-width ９ as 9: past the end.
@pytest.mark.parametrize(
    ("page_param", "shown"),
    [
        pytest.param("abc", 1, id="abc"),
        pytest.param("99999", 2, id="past-the-end"),
        pytest.param("-1", 2, id="negative"),
        pytest.param("0", 2, id="zero"),
        pytest.param("1.5", 1, id="decimal"),
        pytest.param("９", 2, id="full-width-9"),
        pytest.param("%00", 1, id="percent-00"),
    ],
)
def test_bad_page_numbers_still_show_a_page(client, fresh_column, listed, page_param, shown):
    response = client.get(fresh_column.url, {"page": page_param})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown
    assert list(response.context["articles"]) == listed[(shown - 1) * 10 : shown * 10]
    assert f"第 {shown} 页，共 2 页" in response.content.decode()


@pytest.mark.parametrize("params", [{"topic": "no-such-topic"}, {"audience": "aliens"}, {"topic": "x" * 500}])
def test_unknown_filter_is_a_404_with_a_chinese_message(client, fresh_column, params):
    response = client.get(fresh_column.url, params)
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


def test_unknown_url_is_a_chinese_404(client, home_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_article_shows_source_editor_date_topics_and_body_blocks(client, fresh_article):
    response = client.get(fresh_article.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "来源：页面测试融媒体中心" in html
    assert "责任编辑：页面测试编辑" in html
    assert "2026年6月1日" in html
    assert "知识卡片" in html and "燃气安全小知识" in html  # the knowledge card block renders
    assert 'class="block-quote"' in html and "安全用气，人人有责。" in html
    for name in ("燃气（页面测试）", "消防（页面测试）"):
        assert name in html


def test_related_articles_share_a_topic_and_exclude_the_article_itself(client, fresh_column, topics):
    def article(day, *topic_names):
        return ArticlePageFactory(
            parent=fresh_column,
            publish_date=datetime.date(2026, 6, day),
            topics=[topics[name] for name in topic_names],
        )

    gas_article = article(7, "gas")  # the newest of all: it is not its own related article
    article(2, "gas")  # shares the topic, but three are newer
    middle, newer, newest = article(3, "gas", "fire"), article(4, "gas"), article(5, "gas")
    article(6, "fire")  # newer still, but shares no topic
    response = client.get(gas_article.url)
    # The three newest of the other articles sharing a topic.
    assert response.context["related_articles"] == [newest, newer, middle]
    html = response.content.decode()
    assert all(related.title in html for related in (newest, newer, middle))


def test_print_view_has_article_without_site_chrome(client, fresh_article):
    response = client.get(fresh_article.url + "print/")
    html = response.content.decode()
    assert response.status_code == 200
    assert fresh_article.title in html
    assert "原文地址" in html
    assert "site-header" not in html
    assert 'name="robots" content="noindex"' in html


def test_archived_column_and_its_articles_are_readable_and_marked(client, home_page):
    archived_column = ColumnIndexPageFactory(parent=home_page, title="页面测试归档专栏", is_archived=True)
    archived_article = ArticlePageFactory(parent=archived_column, title="页面测试：往年的一篇文章")
    listing = client.get(archived_column.url)
    assert listing.status_code == 200
    assert "历史专题：本栏目已归档" in listing.content.decode()
    response = client.get(archived_article.url)
    assert response.status_code == 200
    assert "本文所在栏目已归档" in response.content.decode()
    # An article of a column that is not archived says nothing of the kind.
    current = ArticlePageFactory(parent=ColumnIndexPageFactory(parent=home_page, title="页面测试当前专栏"))
    assert "本文所在栏目已归档" not in client.get(current.url).content.decode()


def test_government_meta_tags_and_canonical_url_on_an_article(client, identity, fresh_article, fresh_column):
    html = client.get(fresh_article.url).content.decode()
    for tag, value in [
        ("SiteName", identity.site_name),
        ("SiteIDCode", identity.site_id_code),
        ("ColumnName", fresh_column.title),
        ("ArticleTitle", fresh_article.title),
        ("PubDate", "2026-06-01"),
        ("ContentSource", fresh_article.source),
    ]:
        assert f'<meta name="{tag}" content="{value}">' in html
    assert '<meta name="SiteDomain" content="testserver">' in html
    assert '<meta name="Keywords" content="燃气（页面测试）,消防（页面测试）,安全生产,安全生产月">' in html
    assert '<meta name="Description" content="网格员入户检查燃气管道，提醒居民安全用气。">' in html
    assert f'<link rel="canonical" href="http://testserver{fresh_article.url}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:image" content="http://testserver/' in html


def test_article_json_ld_is_a_news_article(client, identity, fresh_article):
    data = _json_ld(client.get(fresh_article.url).content.decode())
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == fresh_article.title
    assert data["datePublished"] == "2026-06-01"
    assert data["editor"] == "页面测试编辑"
    assert data["publisher"]["name"] == identity.host_organization
    assert data["image"][0].startswith("http://testserver/")


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, fresh_column, topics):
    article = ArticlePageFactory(
        parent=fresh_column, title="</script><script>alert(1)</script>", topics=[topics["gas"]]
    )
    html = client.get(article.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert _json_ld(html)["headline"] == article.title


def test_home_page_json_ld_is_a_web_page(client, home_page):
    assert _json_ld(client.get("/").content.decode())["@type"] == "WebPage"


def test_footer_shows_site_identity(client, identity, home_page):
    html = client.get("/").content.decode()
    for text in [
        "主办单位：页面测试主办单位",
        "承办单位：页面测试承办单位",
        "网站标识码：1234567890",
        "测ICP备12345678号",
        "测公网安备 12345678901234号",
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
