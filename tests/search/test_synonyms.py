"""Staff synonyms (search.models.SearchSynonym): what staff may save, and that a reader who types
the term also finds the articles that use the equivalent, on the database backend in use and in
the Elasticsearch query body. The corpus starts without synonyms (conftest.py); each test adds
the ones it needs, inside its own rolled-back transaction."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from home.models import ArticlePage
from search.backends.elasticsearch import ChineseElasticsearch8SearchBackend
from search.models import SearchSynonym
from search.synonyms import expand_word, synonym_map

pytestmark = pytest.mark.django_db

EBIKE = {"ebike", "helmet"}  # the corpus articles saying 电动自行车


def synonym(term, equivalents):
    item = SearchSynonym(term=term, equivalents=equivalents)
    item.full_clean()
    item.save()
    return item


def found(corpus, query, **kwargs):
    return {page.slug for page in corpus.articles().search(query, **kwargs)}


# ---------------------------------------------------------------------------------------------
# What staff can save


def test_saving_normalises_the_term_and_the_list_of_equivalents():
    item = synonym(" ＰＭ２.５ ", "细颗粒物，可吸入颗粒物、细颗粒物 pm2.5")
    assert item.term == "pm2.5"
    assert item.equivalent_list == ["细颗粒物", "可吸入颗粒物"]
    assert str(item) == "pm2.5 → 细颗粒物、可吸入颗粒物"


@pytest.mark.parametrize(
    ("term", "equivalents", "field"),
    [
        pytest.param("", "燃气", "term", id="blank-term"),
        pytest.param("电动 车", "电动自行车", "term", id="term-of-two-words"),
        pytest.param("、。", "电动自行车", "term", id="punctuation-term"),
        pytest.param("煤气", "", "equivalents", id="blank-equivalents"),
        pytest.param("煤气", "煤气", "equivalents", id="only-itself"),
        pytest.param("煤气", "燃气（管道）", "equivalents", id="equivalent-with-punctuation"),
    ],
)
def test_a_synonym_that_could_never_match_is_refused_beside_its_field(term, equivalents, field):
    with pytest.raises(ValidationError) as error:
        SearchSynonym(term=term, equivalents=equivalents).full_clean()
    assert field in error.value.message_dict
    assert re.search("[\u4e00-\u9fff]", error.value.message_dict[field][0]), "the message is in Chinese"


def test_one_entry_per_term_whatever_its_case_in_the_form_and_in_the_database():
    synonym("msds", "安全技术说明书")
    with pytest.raises(ValidationError) as error:
        SearchSynonym(term="MSDS", equivalents="化学品安全说明书").full_clean()
    assert "已经设置过同义词" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        SearchSynonym.objects.create(term="MSDS", equivalents="化学品安全说明书")


@pytest.mark.parametrize(("term", "equivalents"), [("", "燃气"), ("煤气", "")])
def test_the_database_refuses_a_blank_term_or_list(term, equivalents):
    with pytest.raises(IntegrityError), transaction.atomic():
        SearchSynonym.objects.create(term=term, equivalents=equivalents)


# ---------------------------------------------------------------------------------------------
# Expanding a query word


def test_a_chinese_term_is_found_inside_a_longer_word():
    mapping = {"电动车": ("电动自行车", "电瓶车")}
    assert expand_word("电动车充电", mapping) == ["电动车充电", "电动自行车充电", "电瓶车充电"]
    assert expand_word("充电", mapping) == ["充电"]


def test_a_latin_or_number_term_only_matches_whole():
    mapping = {"119": ("消防",), "msds": ("安全技术说明书",)}
    assert expand_word("拨打119", mapping) == ["拨打119", "拨打消防"]
    assert expand_word("1190", mapping) == ["1190"]
    assert expand_word("MSDS", mapping) == ["MSDS", "安全技术说明书"]


# ---------------------------------------------------------------------------------------------
# The database backend


def test_the_term_finds_the_articles_that_use_the_equivalent(corpus):
    assert found(corpus, "电动车") == set()
    synonym("电动车", "电动自行车")
    assert found(corpus, "电动车") == EBIKE
    assert found(corpus, "电动车", operator="and") == EBIKE
    # Inside a longer word, and with another word that must match too.
    assert found(corpus, "电动车充电") == {"ebike"}
    assert found(corpus, "电动车 头盔") == {"helmet"}
    # One way only: the equivalent does not find the term.
    assert found(corpus, "电动自行车") == EBIKE


def test_a_word_with_synonyms_stays_one_condition_beside_the_others(corpus):
    # 骑行 is only in the helmet article; 电动自行车 and 充电 together only in ebike. Read as
    # 骑行 OR (电动自行车 AND 充电), FTS5's own precedence, the helmet article would be found too.
    synonym("骑行", "电动自行车")
    assert found(corpus, "骑行 充电") == {"ebike"}
    assert found(corpus, "骑行 头盔") == {"helmet"}


def test_a_saved_edited_or_deleted_synonym_applies_at_the_next_search(corpus):
    assert found(corpus, "煤气") == set()
    assert synonym_map() == {}
    item = synonym("煤气", "钢瓶")
    assert found(corpus, "煤气") == {"lpg-restaurant"}
    item.equivalents = "液化石油气"
    item.full_clean()
    item.save()
    assert found(corpus, "煤气") == {"gas-leak", "lpg-restaurant"}
    item.delete()
    assert found(corpus, "煤气") == set()


def test_the_search_page_finds_equivalents_and_marks_them_in_the_excerpt(corpus_client):
    synonym("电动车", "电动自行车")
    html = corpus_client.get("/search/", {"q": "电动车"}).content.decode()
    assert "找到 2 条与“电动车”相关的结果" in html
    assert "电动自行车充电防火提示" in html


HOSTILE_WITH_SYNONYMS = [
    '电动车"',
    "电动车*",
    "电动车 OR",
    "(电动车",
    "电动车\\",
    "电动车'",
    "NOT 电动车",
    "电动车" * 40,
]


@pytest.mark.parametrize("query", HOSTILE_WITH_SYNONYMS)
def test_hostile_queries_containing_a_term_never_fail(corpus, corpus_client, query):
    synonym("电动车", "电动自行车、电瓶车")
    list(corpus.articles().search(query))
    list(corpus.articles().search(query, operator="and"))
    list(corpus.articles().autocomplete(query))
    assert corpus_client.get("/search/", {"q": query}).status_code == 200


# ---------------------------------------------------------------------------------------------
# Elasticsearch: the query body (no server here)


def _es_query(query, **kwargs):
    backend = ChineseElasticsearch8SearchBackend({"URLS": ["http://localhost:9200"]})
    return backend.search(query, ArticlePage, **kwargs).query_compiler.get_inner_query()


def _match(query):
    return {"multi_match": {"query": query, "fields": ["_all_text", "_all_text_boost_2_0^2.0"]}}


def test_elasticsearch_query_without_synonyms_is_upstreams():
    assert _es_query("电动车充电", operator="or") == _match("电动车充电")


def test_elasticsearch_query_matches_each_word_or_its_alternatives():
    synonym("电动车", "电动自行车")
    assert _es_query("电动车充电 头盔", operator="or") == {
        "bool": {
            "should": [
                {"bool": {"should": [_match("电动车充电"), _match("电动自行车充电")], "minimum_should_match": 1}},
                {"bool": {"should": [_match("头盔")], "minimum_should_match": 1}},
            ],
            "minimum_should_match": 1,
        }
    }
    body = _es_query("电动车 头盔", operator="and")
    assert list(body["bool"]) == ["must"]
    first, second = body["bool"]["must"]
    assert [clause["multi_match"]["query"] for clause in first["bool"]["should"]] == ["电动车", "电动自行车"]
    assert all(clause["multi_match"]["operator"] == "and" for clause in first["bool"]["should"])
    assert second["bool"]["should"][0]["multi_match"]["query"] == "头盔"


# ---------------------------------------------------------------------------------------------
# The admin: 代码片段 → 搜索同义词


@pytest.fixture
def admin_client(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_staff_add_a_synonym_in_the_admin_and_the_next_search_uses_it(admin_client, corpus):
    assert found(corpus, "电瓶车") == set()
    add_url = "/admin/snippets/site_search/searchsynonym/add/"
    page = admin_client.get(add_url).content.decode()
    assert "搜索同义词" in page and "搜索词" in page and "同义词" in page
    response = admin_client.post(add_url, {"term": "电瓶车", "equivalents": "电动自行车"})
    assert response.status_code == 302
    assert found(corpus, "电瓶车") == EBIKE


def test_the_admin_form_keeps_what_was_typed_and_explains_the_error(admin_client):
    synonym("煤气", "燃气")
    response = admin_client.post(
        "/admin/snippets/site_search/searchsynonym/add/", {"term": "煤气", "equivalents": "液化气"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "已经设置过同义词" in html and 'value="液化气"' in html
    response = admin_client.post(
        "/admin/snippets/site_search/searchsynonym/add/", {"term": "煤 气", "equivalents": "燃气"}
    )
    assert "搜索词须是一个词" in response.content.decode()


def test_demo_synonyms_load_once_and_apply(corpus):
    from search.demo import DEMO_SYNONYMS, load_demo_synonyms

    assert load_demo_synonyms() == len(DEMO_SYNONYMS)
    assert load_demo_synonyms() == 0
    assert set(synonym_map()) == {term for term, _equivalents in DEMO_SYNONYMS}
    assert found(corpus, "电动车") == EBIKE
    assert found(corpus, "煤气") == found(corpus, "燃气")
