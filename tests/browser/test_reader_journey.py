"""The reader's journey of issue 10, walked on a 375 px phone in WeChat's browser: the site
navigation to the column, a topic filter, an article and the next one, the print view and back,
then a search with a synonym and a search that finds nothing but suggests one that does.

The articles, topic and synonym the walk looks for are made in a worker thread with the factories
(Playwright's loop is on the main thread) and deleted again afterwards; the column they go into
is the one the navigation's 专栏 opens, read from the demo's structure.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from .walk import in_worker_thread

TOPIC = ("reader-walk", "读者之旅")
NEWER_TITLE = "读者之旅：燃气热水器要装在通风处"
OLDER_TITLE = "读者之旅：出门前关好燃气总阀"
SYNONYM_QUERY = "煤气热水器"  # 煤气 → 燃气: finds NEWER_TITLE, which never says 煤气
NOTHING_QUERY = "煤气热水器多少钱一台"
MAX_HEADER_SHARE = 0.2


def _create():
    from wagtail.search import index

    from home.cache import invalidate_page_cache
    from home.factories import ArticlePageFactory, TopicFactory, paragraphs_to_body
    from home.models import ColumnIndexPage
    from search.models import SearchSynonym

    column = ColumnIndexPage.objects.live().filter(is_archived=False).order_by("-campaign_year", "path").first()
    topic = TopicFactory(slug=TOPIC[0], name=TOPIC[1])
    # Dated after every demo article, so they are the column's newest two, one after the other.
    articles = [
        ArticlePageFactory(
            parent=column,
            slug=f"reader-walk-{day}",
            title=title,
            summary="入冬前，社区网格员提醒居民检查家中燃气设施。",
            body=paragraphs_to_body([f"{title}。发现异味先关阀门、开窗通风，到室外再打电话报修。"]),
            publish_date=datetime.date(2026, 12, day),
            topics=[topic],
        )
        for day, title in ((31, NEWER_TITLE), (30, OLDER_TITLE))
    ]
    for article in articles:
        index.insert_or_update_object(article)
    synonym, created = SearchSynonym.objects.get_or_create(term="煤气", defaults={"equivalents": "燃气"})
    assert "燃气" in synonym.equivalent_list
    # Pages cached by earlier tests must show the new articles.
    invalidate_page_cache()
    return {"articles": [a.pk for a in articles], "topic": topic.pk, "synonym": synonym.pk if created else None}


def _delete(made):
    from home.models import ArticlePage, Topic
    from search.models import SearchSynonym

    for article in ArticlePage.objects.filter(pk__in=made["articles"]):
        article.delete()
    Topic.objects.filter(pk=made["topic"]).delete()
    if made["synonym"]:
        SearchSynonym.objects.filter(pk=made["synonym"]).delete()


@pytest.fixture
def reader_data(server):
    made = in_worker_thread(_create)
    yield made
    in_worker_thread(lambda: _delete(made))


def nav_link(page, label):
    return page.get_by_role("navigation", name="网站导航").get_by_role("link", name=label, exact=True)


def test_a_reader_walks_from_the_navigation_to_an_article_prints_it_and_searches(walk, reader_data):
    page = walk.page
    page.goto(walk.url("/"))
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= MAX_HEADER_SHARE * page.viewport_size["height"], header
    for label in ("专栏", "活动", "答题", "搜索"):
        expect(nav_link(page, label)).to_be_visible()
    walk.shot("home")

    nav_link(page, "专栏").click()
    expect(nav_link(page, "专栏")).to_have_attribute("aria-current", "page")
    walk.shot("column")

    page.get_by_role("navigation", name="按主题筛选").get_by_role("link", name=TOPIC[1], exact=True).click()
    expect(page.locator(".result-count")).to_contain_text(f"主题：{TOPIC[1]}")
    titles = page.locator(".article-list .card-title")
    expect(titles).to_have_text([NEWER_TITLE, OLDER_TITLE])
    walk.shot("topic")

    page.get_by_role("link", name=NEWER_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NEWER_TITLE)
    expect(nav_link(page, "专栏")).to_have_attribute("aria-current", "true")
    walk.shot("article")

    page.get_by_role("link", name=re.compile(f"下一篇.*{OLDER_TITLE}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OLDER_TITLE)
    article_url = page.url
    walk.shot("next-article")

    page.get_by_role("link", name="打印本页").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(OLDER_TITLE)
    expect(page.get_by_role("button", name="打印")).to_be_visible()
    expect(page.locator(".print-url")).to_have_text(f"原文地址：{article_url}")
    walk.shot("print-view")
    page.get_by_role("link", name="返回原文").click()
    expect(page).to_have_url(article_url)

    nav_link(page, "搜索").click()
    expect(nav_link(page, "搜索")).to_have_attribute("aria-current", "page")
    page.get_by_label("搜索词").fill(SYNONYM_QUERY)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".result-count")).to_contain_text(f"与“{SYNONYM_QUERY}”相关的结果")
    expect(page.locator(".search-result h2")).to_contain_text([NEWER_TITLE])
    walk.shot("search-synonym")

    page.get_by_label("搜索词").fill(NOTHING_QUERY)
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".empty")).to_contain_text(f"没有找到与“{NOTHING_QUERY}”相关的内容")
    suggestion = page.locator(".suggestions a").first
    expect(page.locator(".suggestions")).to_contain_text("您是不是要找")
    suggested = suggestion.inner_text()
    walk.shot("did-you-mean")
    suggestion.click()
    expect(page.locator(".result-count")).to_contain_text(f"与“{suggested}”相关的结果")
    expect(page.locator(".search-result").first).to_be_visible()
    walk.shot("suggestion-followed")


def test_the_navigation_stays_slim_and_usable_in_large_text_and_high_contrast(walk):
    page = walk.page
    page.goto(walk.url("/"))
    page.get_by_role("link", name="大字模式").click()
    page.get_by_role("link", name="高对比度").click()
    expect(page.locator("html")).to_have_class("text-large contrast-high")
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= MAX_HEADER_SHARE * page.viewport_size["height"], header
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    walk.shot("large-high-home")
    nav_link(page, "活动").click()
    expect(nav_link(page, "活动")).to_have_attribute("aria-current", "page")
    walk.shot("large-high-events")
