"""Elasticsearch 8 for scale-out, with the built-in ``cjk`` analyzer (bigrams, width folding).

Wagtail's own Elasticsearch 8 backend (modelsearch) does the indexing and querying, so the admin,
choosers and ``Page.objects.search`` behave exactly as with the database backend; we only change
the index's default analyzer from ``standard`` (one token per character for Chinese) to ``cjk``.
Selected automatically when ``ELASTICSEARCH_URL`` is set.
"""

from copy import deepcopy

from modelsearch.backends.elasticsearch8 import Elasticsearch8SearchBackend
from modelsearch.utils import deep_update

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


class ChineseElasticsearch8SearchBackend(Elasticsearch8SearchBackend):
    settings = deep_update(deepcopy(Elasticsearch8SearchBackend.settings), CJK_ANALYSIS)


SearchBackend = ChineseElasticsearch8SearchBackend
