"""How the database backends run a search: the plans (FTS5 index, GIN index, no per-hit rescoring)
and that ranking in the database (top-N) gives the same ordered results as modelsearch's ordering.

On modelsearch's own SQLite ordering, each candidate page re-ran the whole FTS5 MATCH in a
correlated subquery (cost ~ hits²); on PostgreSQL the filter ``title || body @@ query`` had no
index it could use. Each group is skipped on the other database.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from modelsearch.conf import get_app_config

from .corpus import PATROL_ARTICLES, PATROL_WORD

# (query, operator): single words common and rare, all words of two, either of two.
QUERIES = [("燃气", "and"), ("安全", "and"), (PATROL_WORD, "and"), ("燃气 安全", "and"), ("燃气 民爆", "or")]
GIN_INDEX = "search_indexentry_title_body_gin"


@pytest.fixture
def on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite FTS5 plans")


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL plans")


def _search_queries(results):
    """The SQL of the statements that evaluating ``results`` runs."""
    with CaptureQueriesContext(connection) as captured:
        list(results)
    return [query["sql"] for query in captured.captured_queries]


def _modelsearch_order(pages, query, operator):
    """The pks in modelsearch's own relevance order (its SQLite compiler's ``search``)."""
    results = pages.search(query, operator=operator)
    compiler = results.query_compiler
    return list(compiler.search(compiler.get_config(results.backend), None, None).values_list("pk", flat=True))


@pytest.mark.parametrize(("query", "operator"), QUERIES)
def test_sqlite_ranking_runs_the_fts5_match_once(db, corpus, on_sqlite, query, operator):
    statements = _search_queries(corpus.pages().search(query, operator=operator)[:10])
    ranking = [sql for sql in statements if "MATCH" in sql]
    assert len(ranking) == 1, statements
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {ranking[0]}")
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "VIRTUAL TABLE INDEX" in plan, plan  # the FTS5 index answers the MATCH
    assert "CORRELATED" not in plan, plan  # and no subquery re-runs it per candidate
    assert "LIMIT 10" in ranking[0]


@pytest.mark.parametrize(("query", "operator"), QUERIES)
def test_sqlite_top_n_is_modelsearch_order(db, corpus, on_sqlite, query, operator):
    pages = corpus.pages()
    expected = _modelsearch_order(pages, query, operator)
    assert expected, f"the corpus has no page for {query}"
    results = pages.search(query, operator=operator)
    assert [page.pk for page in results] == expected
    assert results.count() == len(expected)
    for start in range(0, len(expected), 10):
        assert [page.pk for page in results[start : start + 10]] == expected[start : start + 10]


def test_sqlite_pages_of_a_common_word(db, corpus, on_sqlite):
    results = corpus.articles().search(PATROL_WORD)
    pages = [[page.pk for page in results[start : start + 10]] for start in (0, 10, 20)]
    assert [len(page) for page in pages] == [10, 10, PATROL_ARTICLES - 20]
    assert len({pk for page in pages for pk in page}) == PATROL_ARTICLES


def test_sqlite_scores_when_asked(db, corpus, on_sqlite):
    results = list(corpus.pages().search("燃气").annotate_score("_score"))
    scores = [page._score for page in results]
    assert scores == sorted(scores)  # bm25: lower is better, best first


def test_sqlite_count_does_not_rank(db, corpus, on_sqlite):
    with CaptureQueriesContext(connection) as captured:
        count = corpus.pages().search("安全").count()
    assert count > 0
    assert not any("bm25" in query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize(("query", "operator"), QUERIES)
def test_postgres_filter_can_use_the_gin_index(db, corpus, on_postgres, query, operator):
    table = get_app_config().get_model("IndexEntry")._meta.db_table
    results = corpus.pages().search(query, operator=operator)[:10]
    statements = [sql for sql in _search_queries(results) if "@@" in sql]
    assert len(statements) == 1, statements
    # The backend filters on the very expression the index is built on...
    expression = f'("{table}"."title" || "{table}"."body") @@ '
    assert expression in statements[0]
    with connection.cursor() as cursor:
        # ...and the planner can answer it from the index. The corpus is small enough for a
        # sequential scan to be cheapest: forbid it, to see whether the index applies at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT id FROM \"{table}\" WHERE {expression}plainto_tsquery('simple', %s)", [query])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert GIN_INDEX in plan, plan


def test_postgres_gin_index_exists(db, on_postgres):
    table = get_app_config().get_model("IndexEntry")._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [GIN_INDEX])
        (definition,) = cursor.fetchone()
    assert table in definition
    assert "gin" in definition.lower()
    assert "(title || body)" in definition
