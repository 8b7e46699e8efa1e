"""Elasticsearch 8 for scale-out, with the built-in ``cjk`` analyzer (bigrams, width folding).

Wagtail's own Elasticsearch 8 backend (modelsearch) does the indexing and querying, so the admin,
choosers and ``Page.objects.search`` behave exactly as with the database backend; we change the
index's default analyzer from ``standard`` (one token per character for Chinese) to ``cjk``, and
expand plain-text queries with the staff synonyms (search.synonyms) as the database backend does:
each word that contains a term matches the word or any of its alternatives.
"""

from copy import deepcopy

from modelsearch.backends.elasticsearch8 import (
    Elasticsearch8AutocompleteQueryCompiler,
    Elasticsearch8SearchBackend,
    Elasticsearch8SearchQueryCompiler,
)
from modelsearch.query import PlainText
from modelsearch.utils import deep_update

from ..chinese import split_words
from ..synonyms import expand_word

CJK_ANALYSIS = {
    "settings": {
        "analysis": {
            "analyzer": {
                "default": {"type": "cjk"},
                "default_search": {"type": "cjk"},
            }
        }
    }
}


class SynonymQueryMixin:
    def _compile_plaintext_query(self, query, fields, boost=1.0):
        compile_match = super()._compile_plaintext_query
        words = [expand_word(word) for word in split_words(query.query_string)]
        if all(len(alternatives) == 1 for alternatives in words):
            return compile_match(query, fields, boost)
        clauses = [
            {
                "bool": {
                    "should": [
                        compile_match(PlainText(alternative, operator=query.operator), fields, boost)
                        for alternative in alternatives
                    ],
                    "minimum_should_match": 1,
                }
            }
            for alternatives in words
        ]
        if query.operator == "and":
            return {"bool": {"must": clauses}}
        return {"bool": {"should": clauses, "minimum_should_match": 1}}


class ChineseElasticsearch8SearchQueryCompiler(SynonymQueryMixin, Elasticsearch8SearchQueryCompiler):
    pass


class ChineseElasticsearch8AutocompleteQueryCompiler(SynonymQueryMixin, Elasticsearch8AutocompleteQueryCompiler):
    pass


class ChineseElasticsearch8SearchBackend(Elasticsearch8SearchBackend):
    settings = deep_update(deepcopy(Elasticsearch8SearchBackend.settings), CJK_ANALYSIS)
    query_compiler_class = ChineseElasticsearch8SearchQueryCompiler
    autocomplete_query_compiler_class = ChineseElasticsearch8AutocompleteQueryCompiler


SearchBackend = ChineseElasticsearch8SearchBackend
