"""The Elasticsearch documents, their index definitions and the search page's request bodies.

No server runs here: these check what would be sent (``to_dict()``); the integration tests
(test_elastic_integration.py) send it to a real server when ELASTICSEARCH_URL is set.
"""

import datetime

import pytest
from wagtail.models import PageViewRestriction

from search.elastic.documents import (
    DOCUMENTS,
    SEARCH_ANALYZER,
    ArticleDocument,
    ContestDocument,
    EventDocument,
    build_index,
)
from search.elastic.queries import HIGHLIGHT_END, HIGHLIGHT_START, count_searches, results_search
from search.models import SearchSynonym

from .elastic_support import build_site, contest_page, event_page, gas_article


@pytest.fixture
def own(db):
    return build_site()


def add_synonym(term, equivalents):
    synonym = SearchSynonym(term=term, equivalents=equivalents)
    synonym.full_clean()
    synonym.save()
    return synonym


def analysis(index):
    return index.to_dict()["settings"]["analysis"]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_text_is_indexed_with_cjk_and_searched_with_the_synonym_analyzer(db, settings, document):
    settings.ELASTICSEARCH_INDEX_PREFIX = "city_"
    index = build_index(document)
    body = index.to_dict()
    assert index._name == f"city_{document.INDEX}"
    properties = body["mappings"]["properties"]
    for name in ("title", "summary", "body"):
        assert properties[name] == {"type": "text", "analyzer": "cjk", "search_analyzer": SEARCH_ANALYZER}
    assert properties["type"] == {"type": "keyword"}
    assert properties["tree_path"] == {"type": "keyword"}
    assert properties["publish_date"] == {"type": "date"}
    assert properties["year"] == {"type": "integer"}
    assert body["settings"]["number_of_shards"] == 1
    search_analyzer = analysis(index)["analyzer"][SEARCH_ANALYZER]
    # The cjk analyzer's own steps, so that a query is cut into the same bigrams as the text.
    assert search_analyzer["tokenizer"] == "standard"
    assert search_analyzer["filter"][:4] == ["cjk_width", "lowercase", "cjk_bigram", "cjk_stop"]


def test_only_articles_have_topics(db):
    assert build_index(ArticleDocument).to_dict()["mappings"]["properties"]["topics"] == {"type": "keyword"}
    assert "topics" not in build_index(EventDocument).to_dict()["mappings"]["properties"]


def test_staff_synonyms_become_one_way_rules_of_the_search_analyzer(db):
    SearchSynonym.objects.all().delete()
    add_synonym("电动车", "电动自行车、电瓶车")
    add_synonym("119", "消防")
    settings_analysis = analysis(build_index(ArticleDocument))
    assert settings_analysis["analyzer"][SEARCH_ANALYZER]["filter"][-1] == "staff_synonyms"
    assert settings_analysis["filter"]["staff_synonyms"] == {
        "type": "synonym_graph",
        "lenient": True,
        "synonyms": ["119 => 119, 消防", "电动车 => 电动车, 电动自行车, 电瓶车"],
    }


def test_a_synonym_edited_in_the_admin_is_in_the_next_index_definition(db):
    SearchSynonym.objects.all().delete()
    synonym = add_synonym("电动车", "电动自行车")
    synonym.equivalents = "电瓶车"
    synonym.full_clean()
    synonym.save()
    rules = analysis(build_index(EventDocument))["filter"]["staff_synonyms"]["synonyms"]
    assert rules == ["电动车 => 电动车, 电瓶车"]


def test_without_synonyms_the_search_analyzer_has_no_synonym_filter(db):
    SearchSynonym.objects.all().delete()
    settings_analysis = analysis(build_index(ContestDocument))
    assert "staff_synonyms" not in settings_analysis["analyzer"][SEARCH_ANALYZER]["filter"]
    assert "staff_synonyms" not in settings_analysis.get("filter", {})


def test_article_document_has_what_a_result_shows_and_is_filtered_by(own):
    article = gas_article(own)
    source = ArticleDocument.from_page(article).to_dict(include_meta=True)
    assert source["_id"] == article.pk
    fields = source["_source"]
    assert fields["type"] == "article"
    assert fields["title"] == "燃气安全检查送到家门口"
    assert fields["summary"] == "社区网格员上门检查燃气软管和报警器。"
    assert "发现软管老化，当场更换。" in fields["body"] and "提醒居民用气后关闭阀门。" in fields["body"]
    assert "<p>" not in fields["body"]
    assert fields["url_path"] == article.url_path
    assert fields["tree_path"].startswith(own.home.path)
    assert fields["publish_date"] == datetime.date(2026, 6, 20)
    assert fields["year"] == 2026
    assert fields["topics"] == ["elastic-gas"]


def test_event_and_contest_documents_take_their_own_text(own):
    event = event_page(own, summary="讲解燃气安全。", venue_name="城西社区广场")
    event_fields = EventDocument.from_page(event).to_dict()
    assert event_fields["type"] == "event"
    assert event_fields["summary"] == "讲解燃气安全。"
    assert "城西社区广场" in event_fields["body"]
    contest = contest_page(own, intro="限时作答燃气安全知识。", rules="<p>每人每天可答一次。</p>")
    contest_fields = ContestDocument.from_page(contest).to_dict()
    assert contest_fields["type"] == "contest"
    assert contest_fields["summary"] == "限时作答燃气安全知识。"
    assert contest_fields["body"] == "每人每天可答一次。"


def test_unpublished_and_private_pages_are_not_indexed(own):
    public = gas_article(own)
    draft = gas_article(own, slug="elastic-draft", live=False)
    private_column = own.column.add_sibling(
        instance=type(own.column)(title="内部专栏", slug="elastic-private", intro="仅限内部。")
    )
    private = gas_article(own, parent=private_column, slug="elastic-private-article")
    PageViewRestriction.objects.create(page=private_column, restriction_type=PageViewRestriction.LOGIN)
    indexed = set(ArticleDocument.pages().descendant_of(own.home).values_list("pk", flat=True))
    assert public.pk in indexed
    assert draft.pk not in indexed
    assert private.pk not in indexed


def test_results_query_matches_every_word_in_title_summary_and_body_under_the_site_root():
    body = results_search(query="燃气 安全", site_root_path="00010002").to_dict()
    assert body["query"] == {
        "bool": {
            "must": [
                {
                    "multi_match": {
                        "query": "燃气 安全",
                        "fields": ["title^3", "summary", "body"],
                        "type": "cross_fields",
                        "operator": "and",
                    }
                }
            ],
            "filter": [{"prefix": {"tree_path": "00010002"}}],
        }
    }
    assert "post_filter" not in body
    assert (body["from"], body["size"]) == (0, 10)


def test_type_and_topic_filter_the_hits_but_each_facet_counts_without_its_own_filter():
    body = results_search(
        query="燃气", site_root_path="00010002", type_slug="article", topic_slug="gas", start=20, size=10
    ).to_dict()
    type_term = {"term": {"type": "article"}}
    topic_term = {"term": {"topics": "gas"}}
    assert body["post_filter"] == {"bool": {"filter": [type_term, topic_term]}}
    aggs = body["aggs"]
    assert aggs["types"]["filter"] == {"bool": {"filter": [topic_term]}}
    assert aggs["types"]["aggs"]["values"]["terms"]["field"] == "type"
    assert aggs["topics"]["filter"] == {"bool": {"filter": [type_term]}}
    assert aggs["topics"]["aggs"]["values"]["terms"]["field"] == "topics"
    assert aggs["years"]["filter"] == {"bool": {"filter": [type_term, topic_term]}}
    assert aggs["years"]["aggs"]["values"]["terms"] == {"field": "year", "size": 10, "order": {"_key": "desc"}}
    assert (body["from"], body["size"]) == (20, 10)


def test_shown_results_are_highlighted_and_misspelt_words_get_suggestions():
    body = results_search(query="燃汽", site_root_path="0001").to_dict()
    assert body["highlight"]["pre_tags"] == [HIGHLIGHT_START]
    assert body["highlight"]["post_tags"] == [HIGHLIGHT_END]
    assert set(body["highlight"]["fields"]) == {"summary", "body"}
    # A result whose summary has no match still shows the start of its summary.
    assert body["highlight"]["fields"]["summary"]["no_match_size"] > 0
    assert body["suggest"] == {
        "spelling": {"text": "燃汽", "term": {"field": "body", "suggest_mode": "missing", "size": 3}}
    }
    assert body["_source"] == ["type", "title", "url_path", "publish_date"]


def test_suggestion_counts_are_size_zero_searches_under_the_site_root():
    bodies = [search.to_dict() for search in count_searches(queries=["燃气", "消防"], site_root_path="0001")]
    assert [body["query"]["bool"]["must"][0]["multi_match"]["query"] for body in bodies] == ["燃气", "消防"]
    assert all(body["size"] == 0 and body["track_total_hits"] is True for body in bodies)
    assert all(body["query"]["bool"]["filter"] == [{"prefix": {"tree_path": "0001"}}] for body in bodies)
