"""Wagtail's database search backends (modelsearch), made to understand Chinese.

Use as ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.database"}}``.
Indexing passes every text through :func:`search.chinese.index_text`; plain-text queries pass
through :func:`search.chinese.analyse_word`, each word with its staff synonyms
(:func:`search.synonyms.expand_word`), and phrases through :func:`search.chinese.analyse_phrase`.
On SQLite the shown page is ranked in one FTS5 query (modelsearch's ranking, computed once per
hit, LIMIT/OFFSET in SQL) and counted without ranking; PostgreSQL filters through the GIN index
of migration 0002. Everything else (scores, filters, the admin's own search and choosers) is
modelsearch's. ``tests/search/test_backend_internals.py`` and ``tests/search/test_search_plans.py``
fail if the modelsearch internals relied on here change shape.
"""

import types
from functools import cache, cached_property, reduce

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.db.models import TextField
from django.db.models.functions import Cast
from modelsearch.query import Phrase, PlainText

from ..chinese import analyse_phrase, analyse_word, index_text, split_words
from ..synonyms import expand_word


def _with_indexer(add_items, indexer_class):
    """Upstream ``add_items`` builds ``ObjectIndexer`` objects from its module's globals; give it
    ours instead of copying the whole method."""
    namespace = dict(add_items.__globals__, ObjectIndexer=indexer_class)
    return types.FunctionType(add_items.__code__, namespace, add_items.__name__, add_items.__defaults__)


def _lexemes(lexeme_class, query, *, last_is_prefix, group=None, **lexeme_kwargs):
    """One lexeme per analysed query word (a phrase of bigrams), joined by the query's operator.

    A word containing a staff synonym (search.synonyms) is the OR of its alternatives; ``group``
    parenthesises that OR where the database's syntax needs it (FTS5 binds AND tighter than OR).
    """
    words = [
        alternatives
        for word in split_words(query.query_string)
        if (alternatives := [term for term in map(analyse_word, expand_word(word)) if term is not None])
    ]
    if not words:
        return None  # only punctuation: the caller builds a query that matches nothing
    # Not (电动车 or 电动自行车) is neither of them.
    either_of = (lambda a, b: a & b) if lexeme_kwargs.get("invert") else (lambda a, b: a | b)
    lexemes = []
    for i, alternatives in enumerate(words):
        prefix = last_is_prefix and i == len(words) - 1
        either = reduce(
            either_of,
            [lexeme_class(term.text, prefix=term.prefix or prefix, **lexeme_kwargs) for term in alternatives],
        )
        lexemes.append(group(either) if group and len(alternatives) > 1 else either)
    if query.operator.lower() == "and":
        return reduce(lambda a, b: a & b, lexemes)
    return reduce(lambda a, b: a | b, lexemes)


def _is_integer(field):
    return field.get_internal_type() in {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }


# Each backend is built on first use: modelsearch's SQLite and PostgreSQL modules look up
# database-specific models when imported, so only the one for the configured database may load.


@cache
def _sqlite_backend_class():
    from modelsearch.backends.database.sqlite import sqlite
    from modelsearch.backends.database.sqlite.query import (
        BM25,
        LexemeCombinable,
        MatchExpression,
        SearchQueryExpression,
        SearchQueryField,
        normalize,
    )
    from modelsearch.backends.database.sqlite.query import Lexeme as SQLiteLexeme
    from modelsearch.utils import get_descendants_content_types_pks

    class ChineseSQLiteLexeme(SQLiteLexeme):
        """An analysed word as one FTS5 string: a double quote inside is doubled (FTS5's own
        escape) and NUL, which ends an FTS5 string early, is dropped, so no query is ever syntax."""

        def __init__(self, value, *args, **kwargs):
            super().__init__(value.replace("\x00", "").replace('"', '""'), *args, **kwargs)

    class ChineseSQLiteGroup(LexemeCombinable):
        """Lexemes in parentheses: modelsearch joins them without, and FTS5 reads a OR b AND c
        as a OR (b AND c)."""

        _output_field = SearchQueryField()

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def as_sql(self, compiler, connection):
            sql, params = compiler.compile(self.inner)
            return "%s", [f"({sql % tuple(params)})"]

    class ChineseSQLiteObjectIndexer(sqlite.ObjectIndexer):
        @cached_property
        def title(self):
            return index_text(sqlite.ObjectIndexer.title.func(self))

        @cached_property
        def body(self):
            return index_text(sqlite.ObjectIndexer.body.func(self))

        @cached_property
        def autocomplete(self):
            return index_text(sqlite.ObjectIndexer.autocomplete.func(self))

    class ChineseSQLiteIndex(sqlite.SQLiteIndex):
        add_items = _with_indexer(sqlite.SQLiteIndex.add_items, ChineseSQLiteObjectIndexer)

    class ChineseSQLiteSearchQueryCompiler(sqlite.SQLiteSearchQueryCompiler):
        def build_search_query_content(self, query, config=None):
            if isinstance(query, PlainText):
                lexemes = _lexemes(
                    ChineseSQLiteLexeme, query, last_is_prefix=self.LAST_TERM_IS_PREFIX, group=ChineseSQLiteGroup
                )
                # An empty FTS5 phrase ("") is valid and matches no document.
                return SearchQueryExpression(lexemes if lexemes is not None else ChineseSQLiteLexeme(""))
            if isinstance(query, Phrase):
                return SearchQueryExpression(ChineseSQLiteLexeme(analyse_phrase(query.query_string)))
            return super().build_search_query_content(query, config=config)

        def ranks_in_fts(self):
            """Whether :meth:`ranked_matches` applies: relevance order and one plain-text query or
            phrase, what the site and the admin send (combined and negated queries, which rank
            differently or not at all, stay modelsearch's)."""
            return self.order_by_relevance and isinstance(normalize(self.query), (PlainText, Phrase))

        def ranked_matches(self, config, start, stop):
            """The slice ``[start:stop]`` of the matching objects' pks (as text) with their scores,
            best first, from one FTS5 query.

            modelsearch orders the objects by a correlated subquery that re-runs the whole MATCH
            for every candidate (cost ~ hits²). Here the MATCH runs once, bm25 is computed once per
            hit (a materialised CTE: modelsearch's expression calls it twice), and the slice is
            LIMIT/OFFSET. The order is modelsearch's: its score, bm25 × title_norm + bm25 × 1.0,
            ascending, then the object's pk descending.
            """
            model = self.queryset.model
            match = MatchExpression(
                self.fields or self.FTS_TABLE_FIELDS, self.build_search_query(normalize(self.query), config)
            )
            hits = (
                sqlite.SQLiteFTSIndexEntry.objects.filter(match)
                .filter(
                    index_entry__content_type__in=get_descendants_content_types_pks(model),
                    index_entry__object_id__in=self.queryset.annotate(_object_id=Cast("pk", TextField())).values(
                        "_object_id"
                    ),
                )
                .annotate(bm25=BM25())
                .values_list("index_entry__object_id", "index_entry__title_norm", "bm25")
                .order_by()
            )
            using = self.queryset.db
            hits_sql, params = hits.query.get_compiler(using=using).as_sql()
            # object_id is text: the tie-break compares pks as the model does, numbers as numbers.
            object_pk = "CAST(object_id AS INTEGER)" if _is_integer(model._meta.pk) else "object_id"
            limit = -1 if stop is None else stop - (start or 0)
            sql = (
                f"WITH hits (object_id, title_norm, bm25) AS MATERIALIZED ({hits_sql}) "
                "SELECT object_id, (bm25 * title_norm) + (bm25 * 1.0) AS score FROM hits "
                f"ORDER BY score ASC, {object_pk} DESC LIMIT %s OFFSET %s"
            )
            with connections[using].cursor() as cursor:
                cursor.execute(sql, [*params, limit, start or 0])
                return cursor.fetchall()

    class ChineseSQLiteSearchResults(sqlite.SQLiteSearchResults):
        """The shown page ranked in FTS5 (top-N), the count without any ranking."""

        def _do_search(self):
            compiler = self.query_compiler
            if not compiler.ranks_in_fts():
                return super()._do_search()
            scores = dict(compiler.ranked_matches(compiler.get_config(self.backend), self.start, self.stop))
            objects = {str(obj.pk): obj for obj in compiler.queryset.filter(pk__in=list(scores))} if scores else {}
            results = [objects[object_id] for object_id in scores if object_id in objects]
            if self._score_field:
                for obj in results:
                    setattr(obj, self._score_field, scores[str(obj.pk)])
            return results

        def _do_count(self):
            compiler = self.query_compiler
            if not compiler.ranks_in_fts():
                return super()._do_count()
            relevance, compiler.order_by_relevance = compiler.order_by_relevance, False
            try:
                return compiler.search(compiler.get_config(self.backend), None, None).order_by().count()
            finally:
                compiler.order_by_relevance = relevance

    class ChineseSQLiteAutocompleteQueryCompiler(
        ChineseSQLiteSearchQueryCompiler, sqlite.SQLiteAutocompleteQueryCompiler
    ):
        pass

    class ChineseSQLiteSearchBackend(sqlite.SQLiteSearchBackend):
        index_class = ChineseSQLiteIndex
        query_compiler_class = ChineseSQLiteSearchQueryCompiler
        autocomplete_query_compiler_class = ChineseSQLiteAutocompleteQueryCompiler
        results_class = ChineseSQLiteSearchResults

    return ChineseSQLiteSearchBackend


@cache
def _postgres_backend_class():
    from django.contrib.postgres.search import SearchQuery
    from modelsearch.backends.database.postgres import postgres
    from modelsearch.backends.database.postgres.query import Lexeme as PostgresLexeme

    class ChinesePostgresLexeme(PostgresLexeme):
        """An analysed word as a tsquery phrase, '燃气' <-> '气安' <-> '安全', with the prefix mark on
        the last token only (a quoted multi-token lexeme would put it on every token)."""

        def as_sql(self, compiler, connection):
            tokens = [token.replace("'", "''").replace("\\", "\\\\") for token in self.value.split()]
            parts = [f"'{token}'" for token in tokens]
            label = ("*" if self.prefix else "") + (self.weight or "")
            if label:
                parts[-1] += f":{label}"
            phrase = " <-> ".join(parts)
            if len(parts) > 1:
                phrase = f"({phrase})"
            if self.invert:
                phrase = f"!{phrase}"
            return "%s", [phrase]

    class ChinesePostgresObjectIndexer(postgres.ObjectIndexer):
        def as_vector(self, texts, for_autocomplete=False):
            return super().as_vector([(index_text(text), weight) for text, weight in texts], for_autocomplete)

    class ChinesePostgresIndex(postgres.PostgresIndex):
        add_items = _with_indexer(postgres.PostgresIndex.add_items, ChinesePostgresObjectIndexer)

    class ChinesePostgresSearchQueryCompiler(postgres.PostgresSearchQueryCompiler):
        def build_tsquery_content(self, query, config=None, invert=False):
            if isinstance(query, PlainText):
                lexemes = _lexemes(ChinesePostgresLexeme, query, last_is_prefix=self.LAST_TERM_IS_PREFIX, invert=invert)
                if lexemes is None:
                    # An empty raw tsquery is a syntax error; an empty plain one matches nothing.
                    return SearchQuery("", search_type="plain", config=config)
                return SearchQuery(lexemes, search_type="raw", config=config)
            if isinstance(query, Phrase):
                return SearchQuery(analyse_phrase(query.query_string), search_type="phrase", config=config)
            return super().build_tsquery_content(query, config=config, invert=invert)

    class ChinesePostgresAutocompleteQueryCompiler(
        ChinesePostgresSearchQueryCompiler, postgres.PostgresAutocompleteQueryCompiler
    ):
        pass

    class ChinesePostgresSearchBackend(postgres.PostgresSearchBackend):
        index_class = ChinesePostgresIndex
        query_compiler_class = ChinesePostgresSearchQueryCompiler
        autocomplete_query_compiler_class = ChinesePostgresAutocompleteQueryCompiler

    return ChinesePostgresSearchBackend


def SearchBackend(params):
    """Pick the Chinese-aware backend for the default database, as modelsearch's own factory does."""
    if connection.vendor == "postgresql":
        return _postgres_backend_class()(params)
    if connection.vendor == "sqlite":
        return _sqlite_backend_class()(params)
    raise ImproperlyConfigured("search.backends.database supports SQLite (with FTS5) and PostgreSQL only.")
