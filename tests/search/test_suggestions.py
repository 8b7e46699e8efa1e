"""“您是不是要找”: a search that finds nothing offers searches that do find something, each checked
to have results on the reader's site, with their counts. Asked of the corpus site."""

import html
import re

import pytest

from home.factories import TopicFactory
from search.models import SearchSynonym

from .corpus import GAS

SUGGESTIONS = re.compile(r'<p class="suggestions">您是不是要找：(.*?)</p>', re.S)
LINK = re.compile(r'<a href="([^"]*)">([^<]*)</a>（(\d+) 条）')


def suggestions(response):
    """[(query, href, count)] as offered, or [] when there is no suggestion."""
    assert response.status_code == 200
    content = response.content.decode()
    match = SUGGESTIONS.search(content)
    if not match:
        return []
    assert "没有找到与" in content
    return [(text, html.unescape(href), int(count)) for href, text, count in LINK.findall(match.group(1))]


def test_a_word_that_matches_on_its_own_is_offered_when_all_words_together_match_nothing(corpus_client):
    offered = suggestions(corpus_client.get("/search/", {"q": "燃气 灶台板"}))
    assert offered[0] == ("燃气", "/search/?q=%E7%87%83%E6%B0%94", len(GAS))
    assert all(query != "灶台板" for query, _href, _count in offered)


def test_a_related_topic_or_synonym_word_with_results_is_offered_and_its_link_finds_them(corpus_client, corpus):
    SearchSynonym.objects.create(term="液化气", equivalents="液化石油气")
    offered = suggestions(corpus_client.get("/search/", {"q": "液化石油气罐车"}))
    by_query = {query: (href, count) for query, href, count in offered}
    assert by_query["液化石油气"][1] == 2
    followed = corpus_client.get(by_query["液化石油气"][0]).content.decode()
    assert "找到 2 条与“液化石油气”相关的结果" in followed


def test_a_topic_name_is_offered(corpus_client):
    TopicFactory(slug="suggest-explosives", name="爆破作业")
    offered = suggestions(corpus_client.get("/search/", {"q": "爆破作业规程"}))
    assert ("爆破作业", "/search/?q=%E7%88%86%E7%A0%B4%E4%BD%9C%E4%B8%9A", 1) in offered


def test_one_character_in_common_is_not_related(corpus_client):
    TopicFactory(slug="suggest-blasting", name="爆破作业")
    assert suggestions(corpus_client.get("/search/", {"q": "爆破作业"})) == []  # it has results
    offered = suggestions(corpus_client.get("/search/", {"q": "破产清算"}))
    assert "爆破作业" not in [query for query, _href, _count in offered]


def test_nothing_is_offered_when_nothing_related_has_results(corpus_client):
    response = corpus_client.get("/search/", {"q": "zzqqxx"})
    assert "没有找到与“zzqqxx”相关的内容" in response.content.decode()
    assert suggestions(response) == []


def test_results_get_no_suggestion(corpus_client):
    assert suggestions(corpus_client.get("/search/", {"q": "燃气"})) == []


@pytest.mark.parametrize("query", ['"""', "燃气 " * 30, "\U0001f525 燃气xyz", "NOT 燃气xyz", "a" * 64])
def test_hostile_queries_with_no_results_still_answer(corpus_client, query):
    response = corpus_client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert len(suggestions(response)) <= 3
