"""Fail loudly when the modelsearch internals search/backends/database.py relies on change shape.

modelsearch's SQLite module can only be imported on SQLite and its PostgreSQL module only on
PostgreSQL (they look up database-specific models at import), so each group is skipped on the
other database.
"""

import inspect
import os
from copy import deepcopy

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.functional import cached_property
from modelsearch.backends.elasticsearch8 import Elasticsearch8SearchBackend
from modelsearch.conf import get_app_config
from wagtail.search.backends import get_search_backend

from home.models import ArticlePage
from search.backends import database
from search.backends.elasticsearch import ChineseElasticsearch8SearchBackend

from .corpus import GAS

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL")


@pytest.fixture
def sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("modelsearch's SQLite backend only imports on SQLite")
    from modelsearch.backends.database.sqlite import sqlite

    return sqlite


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("modelsearch's PostgreSQL backend only imports on PostgreSQL")
    from modelsearch.backends.database.postgres import postgres

    return postgres


def parameters(func):
    return list(inspect.signature(func).parameters)


def global_names(code):
    """Names a function looks up, including inside its comprehensions (separate code objects
    before Python 3.12, where ``[ObjectIndexer(obj, ...) for obj in objs]`` is not inlined)."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, type(code)):
            names |= global_names(const)
    return names


# SQLite


def test_sqlite_add_items_builds_object_indexer_from_module_globals(sqlite):
    assert "ObjectIndexer" in global_names(sqlite.SQLiteIndex.add_items.__code__)


@pytest.mark.parametrize("name", ["title", "body", "autocomplete"])
def test_sqlite_object_indexer_texts_are_cached_properties(sqlite, name):
    prop = vars(sqlite.ObjectIndexer)[name]
    assert isinstance(prop, cached_property)
    assert parameters(prop.func) == ["self"]


def test_sqlite_compiler_hooks(sqlite):
    assert parameters(sqlite.SQLiteSearchQueryCompiler.build_search_query_content) == ["self", "query", "config"]
    assert sqlite.SQLiteSearchQueryCompiler.LAST_TERM_IS_PREFIX is False
    assert sqlite.SQLiteAutocompleteQueryCompiler.LAST_TERM_IS_PREFIX is True


def test_sqlite_index_uses_our_indexer_with_upstream_code(sqlite):
    backend_class = database._sqlite_backend_class()
    add_items = backend_class.index_class.add_items
    assert add_items.__code__ is sqlite.SQLiteIndex.add_items.__code__
    indexer = add_items.__globals__["ObjectIndexer"]
    assert indexer is not sqlite.ObjectIndexer
    assert issubclass(indexer, sqlite.ObjectIndexer)


# PostgreSQL


def test_postgres_add_items_builds_object_indexer_from_module_globals(postgres):
    assert "ObjectIndexer" in global_names(postgres.PostgresIndex.add_items.__code__)


def test_postgres_object_indexer_as_vector(postgres):
    assert parameters(postgres.ObjectIndexer.as_vector) == ["self", "texts", "for_autocomplete"]


@pytest.mark.parametrize("name", ["title", "body", "autocomplete"])
def test_postgres_object_indexer_texts_go_through_as_vector(postgres, name):
    prop = vars(postgres.ObjectIndexer)[name]
    assert isinstance(prop, cached_property)
    assert "as_vector" in global_names(prop.func.__code__)


def test_postgres_compiler_hooks(postgres):
    assert parameters(postgres.PostgresSearchQueryCompiler.build_tsquery_content) == [
        "self",
        "query",
        "config",
        "invert",
    ]
    assert postgres.PostgresSearchQueryCompiler.LAST_TERM_IS_PREFIX is False
    assert postgres.PostgresAutocompleteQueryCompiler.LAST_TERM_IS_PREFIX is True


def test_postgres_index_uses_our_indexer_with_upstream_code(postgres):
    backend_class = database._postgres_backend_class()
    add_items = backend_class.index_class.add_items
    assert add_items.__code__ is postgres.PostgresIndex.add_items.__code__
    indexer = add_items.__globals__["ObjectIndexer"]
    assert indexer is not postgres.ObjectIndexer
    assert issubclass(indexer, postgres.ObjectIndexer)


# The configured backend


@pytest.mark.skipif(bool(ELASTICSEARCH_URL), reason="ELASTICSEARCH_URL is set, so Elasticsearch is the backend")
def test_configured_backend_is_the_chinese_one_for_this_database():
    expected = {"sqlite": database._sqlite_backend_class, "postgresql": database._postgres_backend_class}
    assert type(get_search_backend()) is expected[connection.vendor]()


@pytest.mark.skipif(bool(ELASTICSEARCH_URL), reason="ELASTICSEARCH_URL is set, so Elasticsearch is the backend")
def test_index_entries_hold_bigrams(corpus, db):
    IndexEntry = get_app_config().get_model("IndexEntry")
    article = corpus.article("gas-check")
    entry = IndexEntry.objects.get(content_type=ContentType.objects.get_for_model(ArticlePage), object_id=article.pk)
    # 安全进社区：燃气安全检查送到家门口
    if connection.vendor == "sqlite":
        assert "燃气 气安 安全 全检" in entry.title
        assert "燃气 气安 安全 全检" in entry.autocomplete
    else:
        assert {"'燃气'", "'气安'", "'全检'"} <= {lexeme.split(":")[0] for lexeme in entry.title.split()}
    assert "燃气安全" not in entry.title


# Elasticsearch


def test_elasticsearch_uses_cjk_analyzer_for_indexing_and_searching():
    analyzers = ChineseElasticsearch8SearchBackend.settings["settings"]["analysis"]["analyzer"]
    assert analyzers["default"] == {"type": "cjk"}
    assert analyzers["default_search"] == {"type": "cjk"}
    # Upstream's own analyzers (autocomplete uses edgengram_analyzer) are kept.
    assert set(Elasticsearch8SearchBackend.settings["settings"]["analysis"]["analyzer"]) < set(analyzers)


def test_elasticsearch_upstream_settings_are_not_modified():
    assert "default" not in Elasticsearch8SearchBackend.settings["settings"]["analysis"]["analyzer"]


def test_elasticsearch_backend_instance_keeps_cjk_with_extra_index_settings():
    extra = {"settings": {"index": {"number_of_shards": 1}}}
    backend = ChineseElasticsearch8SearchBackend({"URLS": ["http://localhost:9200"], "INDEX_SETTINGS": deepcopy(extra)})
    assert backend.settings["settings"]["analysis"]["analyzer"]["default"] == {"type": "cjk"}
    assert backend.settings["settings"]["index"]["number_of_shards"] == 1
    assert "number_of_shards" not in ChineseElasticsearch8SearchBackend.settings["settings"]["index"]


@pytest.mark.skipif(
    not ELASTICSEARCH_URL, reason="needs a running Elasticsearch 8: set ELASTICSEARCH_URL=http://host:9200 to run"
)
def test_elasticsearch_finds_two_character_chinese_word(corpus, db):
    backend = get_search_backend(
        "search.backends.elasticsearch", URLS=[ELASTICSEARCH_URL], INDEX_PREFIX=f"outreach_test_{os.getpid()}_"
    )
    index = backend.get_index_for_model(ArticlePage)
    index.reset()
    try:
        index.add_model(ArticlePage)
        index.add_items(ArticlePage, ArticlePage.objects.all())
        index.refresh()
        tokens = backend.es.indices.analyze(index=index.name, text="燃气安全")["tokens"]
        assert [token["token"] for token in tokens] == ["燃气", "气安", "安全"]
        found = {page.slug for page in backend.search("燃气", corpus.articles())}
        assert found == GAS
    finally:
        index.delete()
