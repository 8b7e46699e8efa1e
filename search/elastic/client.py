from functools import cache

from django.conf import settings
from elasticsearch import Elasticsearch


@cache
def _client(url):
    return Elasticsearch(url, request_timeout=10)


def get_client():
    """The client for ``settings.ELASTICSEARCH_URL``, one per URL and process (it pools connections)."""
    return _client(settings.ELASTICSEARCH_URL)
