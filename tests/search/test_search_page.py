"""The reader-facing /search/ page.

Tests that look at results ask for the search corpus's own site (``corpus_client``, see
tests/search/corpus.py), so the counts and pages they check are the corpus's, not the demo's.
"""

import html
import re

import pytest
from django.test import Client
from wagtail.models import PageViewRestriction

from search.highlight import highlight

from .corpus import (
    ARCHIVED_COLUMN_TITLE,
    COLUMN_TITLE,
    GAS,
    GAS_TOPIC,
    GAS_TOPIC_AND_GAS,
    PATROL_ARTICLES,
    PATROL_WORD,
    PUNCTUATION_ONLY_QUERIES,
)

RESULT = re.compile(r'<li class="search-result">(.*?)</li>', re.S)
TITLE = re.compile(r'<h2><a href="([^"]*)">(.*?)</a></h2>', re.S)
TYPE = re.compile(r'<span class="tag">(.*?)</span>')
DATE = re.compile(r'<time datetime="([^"]*)">(.*?)</time>')
EXCERPT = re.compile(r'<p class="excerpt">(.*?)</p>', re.S)


def results(response):
    """The result list as readers see it: one dict per result."""
    assert response.status_code == 200
    hits = []
    for item in RESULT.findall(response.content.decode()):
        href, title = TITLE.search(item).groups()
        date = DATE.search(item)
        hits.append(
            {
                "href": href,
                "title": html.unescape(title),
                "type": TYPE.search(item).group(1),
                "datetime": date.group(1) if date else None,
                "date": date.group(2) if date else None,
                "excerpt": EXCERPT.search(item).group(1),
            }
        )
    return hits


def search(client, **params):
    return client.get("/search/", params)


def test_result_shows_title_type_date_and_highlighted_snippet(corpus_client, corpus):
    response = search(corpus_client, q="燃气")
    hits = results(response)
    assert f"找到 {len(GAS)} 条与“燃气”相关的结果" in response.content.decode()
    assert {hit["title"] for hit in hits} == corpus.titles(GAS)
    hit = next(hit for hit in hits if hit["title"] == "安全进社区：燃气安全检查送到家门口")
    assert hit["type"] == "专栏文章"
    assert (hit["datetime"], hit["date"]) == ("2026-06-20", "2026年6月20日")
    assert hit["href"].endswith("/gas-check/")
    assert "<mark>燃气</mark>" in hit["excerpt"]
    assert all("<mark>燃气</mark>" in hit["excerpt"] for hit in hits)


def test_each_site_lists_only_its_own_pages(corpus_client, corpus, site):
    column_path = f"/{corpus.column.slug}/"
    corpus_hits = results(search(corpus_client, q="燃气"))
    assert corpus_hits and all(column_path in hit["href"] for hit in corpus_hits)
    demo_hits = results(search(Client(), q="燃气"))  # the default site
    assert not [hit for hit in demo_hits if column_path in hit["href"]]


def test_search_page_title_and_form_keep_the_query(client, site):
    content = search(client, q="燃气 安全").content.decode()
    assert "<title>搜索：燃气 安全" in content
    assert 'name="q" value="燃气 安全"' in content


def test_empty_query_shows_a_prompt_not_results(client, site):
    content = search(client).content.decode()
    assert "请输入要搜索的内容" in content
    assert 'class="search-result"' not in content


def test_filter_by_type_column(corpus_client):
    hits = results(search(corpus_client, q="专栏", type="column"))
    assert {hit["title"] for hit in hits} == {COLUMN_TITLE, ARCHIVED_COLUMN_TITLE}
    assert {hit["type"] for hit in hits} == {"专栏"}


def test_filter_by_type_article(corpus_client, corpus):
    hits = results(search(corpus_client, q="专栏", type="article"))
    assert [hit["title"] for hit in hits] == [corpus.article("launch").title]
    assert hits[0]["type"] == "专栏文章"


def test_filter_by_topic(corpus_client, corpus):
    slug, name = GAS_TOPIC
    response = search(corpus_client, q="燃气", topic=slug)
    # Only the gas articles that have the topic: launch, contest and consult-day do not.
    assert {hit["title"] for hit in results(response)} == corpus.titles(GAS_TOPIC_AND_GAS)
    assert f'<option value="{slug}" selected>{name}</option>' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param({"q": "燃气", "type": "video"}, "没有这种内容类型。", id="type"),
        pytest.param({"q": "燃气", "topic": "earthquakes"}, "没有找到这个主题。", id="topic"),
    ],
)
def test_unknown_filter_is_a_404_with_a_chinese_message(client, site, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 404
    assert message in response.content.decode()


# The corpus has PATROL_ARTICLES (23) articles about 巡查, 10 a page: pages of 10, 10 and 3.


def test_pagination_walks_all_results_once(corpus_client):
    first = search(corpus_client, q=PATROL_WORD, type="article")
    assert f"找到 {PATROL_ARTICLES} 条" in first.content.decode()
    assert "第 1 页，共 3 页" in first.content.decode()
    pages = [results(first)] + [results(search(corpus_client, q=PATROL_WORD, type="article", page=n)) for n in (2, 3)]
    assert [len(hits) for hits in pages] == [10, 10, 3]
    hrefs = [hit["href"] for hits in pages for hit in hits]
    assert len(set(hrefs)) == PATROL_ARTICLES


def test_second_page_links_back_and_forward(corpus_client):
    content = search(corpus_client, q=PATROL_WORD, type="article", page=2).content.decode()
    assert "第 2 页，共 3 页" in content
    assert 'rel="prev"' in content
    assert 'rel="next"' in content


@pytest.mark.parametrize(
    ("page", "shown", "count"),
    [
        pytest.param("abc", "第 1 页，共 3 页", 10, id="not-a-number"),
        pytest.param("99999", "第 3 页，共 3 页", 3, id="past-the-end"),
        pytest.param("0", "第 3 页，共 3 页", 3, id="zero"),
        pytest.param("-1", "第 3 页，共 3 页", 3, id="negative"),
    ],
)
def test_bad_page_number_never_errors(corpus_client, page, shown, count):
    response = search(corpus_client, q=PATROL_WORD, type="article", page=page)
    assert response.status_code == 200
    assert shown in response.content.decode()
    assert len(results(response)) == count


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"q": "地震"}, id="word-not-in-any-page"),
        pytest.param({"q": "雷管", "topic": GAS_TOPIC[0]}, id="filter-excludes-every-match"),
    ],
)
def test_no_results_gives_an_empty_list(corpus_client, params):
    response = corpus_client.get("/search/", params)
    assert response.status_code == 200
    assert results(response) == []
    assert "找到 " not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"q": "地震"}, id="word-not-in-any-page"),
        pytest.param({"q": "雷管", "topic": GAS_TOPIC[0]}, id="filter-excludes-every-match"),
    ],
)
def test_no_results_state_tells_the_reader(corpus_client, params):
    content = corpus_client.get("/search/", params).content.decode()
    assert f"没有找到与“{params['q']}”相关的内容" in content
    assert "换一个更短的词" in content


def test_over_long_query_is_cut_with_a_notice(corpus_client):
    query = "燃气 " * 100
    assert len(query) == 300
    response = search(corpus_client, q=query)
    content = response.content.decode()
    assert response.status_code == 200
    assert "搜索词过长，已只保留前 64 个字" in content
    kept = query.strip()[:64]
    assert f'name="q" value="{kept}"' in content
    assert len(results(response)) == len(GAS)


def test_long_query_without_spaces_is_cut_too(client, site):
    response = search(client, q="安全生产" * 75)
    assert response.status_code == 200
    assert "搜索词过长" in response.content.decode()


def test_short_query_has_no_notice(client, site):
    assert "搜索词过长" not in search(client, q="燃气").content.decode()


@pytest.mark.parametrize("query", PUNCTUATION_ONLY_QUERIES)
def test_query_of_only_punctuation_is_not_an_error(client, site, query):
    response = search(client, q=query)
    assert response.status_code == 200
    assert results(response) == []


def test_query_is_escaped_in_the_page(client, site):
    content = search(client, q="<script>alert(1)</script>燃气").content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;" in content


def test_unpublished_article_disappears_from_results(corpus_client, corpus):
    article = corpus.article("mine-roof")
    assert [hit["title"] for hit in results(search(corpus_client, q="敲帮问顶"))] == [article.title]

    article.unpublish()

    assert results(search(corpus_client, q="敲帮问顶")) == []
    assert not corpus.articles().search("敲帮问顶")


def test_private_article_is_not_listed(corpus_client, corpus):
    article = corpus.article("mine-roof")
    assert results(search(corpus_client, q="敲帮问顶"))
    PageViewRestriction.objects.create(page=article, restriction_type=PageViewRestriction.PASSWORD, password="x")
    assert results(search(corpus_client, q="敲帮问顶")) == []


# The excerpt itself


def test_highlight_marks_every_word_and_escapes_the_text():
    excerpt = highlight("<b>检查</b>燃气安全，燃气泄漏要报警", "燃气 报警")
    assert excerpt == "&lt;b&gt;检查&lt;/b&gt;<mark>燃气</mark>安全，<mark>燃气</mark>泄漏要<mark>报警</mark>"


def test_highlight_prefers_the_longest_word():
    assert highlight("燃气安全知识", "燃气 燃气安全") == "<mark>燃气安全</mark>知识"


def test_highlight_cuts_around_the_first_match():
    text = "前" * 200 + "燃气" + "后" * 200
    excerpt = highlight(text, "燃气")
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert "<mark>燃气</mark>" in excerpt
