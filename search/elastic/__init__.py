"""The public search page on Elasticsearch, through our own elasticsearch-dsl documents.

Used when ``settings.ELASTICSEARCH_URL`` is set: one index per kind of page (articles, events,
contests) under ``ELASTICSEARCH_INDEX_PREFIX``, each behind an alias so that a rebuild can swap
it in at once. Wagtail's own index (search/backends/elasticsearch.py) still serves the admin.
"""

from django.conf import settings


def enabled():
    return bool(settings.ELASTICSEARCH_URL)
