"""What the Elasticsearch tests share: a site of their own, built with the factories, and a
mocked Elasticsearch client (the only thing mocked) with realistic responses.

No server runs here: tests/search/test_elastic_integration.py talks to a real one when
ELASTICSEARCH_URL is set.
"""

import datetime
from dataclasses import dataclass
from unittest import mock

from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig, ObjectApiResponse
from elasticsearch import Elasticsearch
from elasticsearch._sync.client.indices import IndicesClient
from wagtail.models import Page, Site

from events.factories import EventIndexPageFactory, EventPageFactory
from home.factories import ArticlePageFactory, ColumnIndexPageFactory, HomePageFactory, TopicFactory, paragraphs_to_body
from quizzes.factories import ContestIndexPageFactory, ContestPageFactory

HOST = "elastic.testserver"
ES_URL = "http://elasticsearch.invalid:9200"


@dataclass
class OwnSite:
    site: Site
    home: Page
    column: Page
    events: Page
    contests: Page


def build_site():
    root = Page.get_first_root_node()
    home = HomePageFactory(parent=root, slug="elastic-home", title="搜索索引测试平台")
    site = Site.objects.create(hostname=HOST, port=80, root_page=home, site_name="搜索索引测试平台")
    return OwnSite(
        site=site,
        home=home,
        column=ColumnIndexPageFactory(parent=home, slug="elastic-column"),
        events=EventIndexPageFactory(parent=home, slug="elastic-events"),
        contests=ContestIndexPageFactory(parent=home, slug="elastic-contests"),
    )


def gas_article(own, **kwargs):
    topic = TopicFactory(slug="elastic-gas", name="居家用气（索引）")
    values = {
        "parent": own.column,
        "slug": "elastic-gas-check",
        "title": "燃气安全检查送到家门口",
        "summary": "社区网格员上门检查燃气软管和报警器。",
        "body": paragraphs_to_body(["发现软管老化，当场更换。", "提醒居民用气后关闭阀门。"]),
        "publish_date": datetime.date(2026, 6, 20),
        "topics": [topic],
        **kwargs,
    }
    return ArticlePageFactory(**values)


def event_page(own, **kwargs):
    return EventPageFactory(parent=own.events, slug="elastic-gas-event", title="燃气安全进社区", **kwargs)


def contest_page(own, **kwargs):
    return ContestPageFactory(parent=own.contests, slug="elastic-contest", title="燃气安全知识答卷", **kwargs)


def mock_client():
    """A stand-in for the Elasticsearch client: its methods are recorded, and answer what a test sets."""
    client = mock.create_autospec(Elasticsearch, instance=True)
    # The namespaced APIs are set in the client's __init__, which an autospec does not see.
    client.indices = mock.create_autospec(IndicesClient, instance=True)
    client.bulk.return_value = {"errors": False, "items": []}
    client.indices.exists_alias.return_value = False
    client.indices.exists.return_value = False
    return client


def use_mock_client(monkeypatch, settings):
    """Switch the search to Elasticsearch (prefix ``city_``) through a mocked client; returns it."""
    settings.ELASTICSEARCH_URL = ES_URL
    settings.ELASTICSEARCH_INDEX_PREFIX = "city_"
    client = mock_client()
    monkeypatch.setattr("search.elastic.client._client", lambda url: client)
    return client


def api_response(body):
    meta = ApiResponseMeta(
        status=200,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.001,
        node=NodeConfig("http", "localhost", 9200),
    )
    return ObjectApiResponse(body=body, meta=meta)


def search_response(hits=(), *, total=None, aggregations=None, suggest=None):
    """A search response as Elasticsearch 8 sends it."""
    body = {
        "took": 3,
        "timed_out": False,
        "_shards": {"total": 3, "successful": 3, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(hits) if total is None else total, "relation": "eq"},
            "max_score": 1.0,
            "hits": list(hits),
        },
        "aggregations": aggregations or empty_aggregations(),
    }
    if suggest is not None:
        body["suggest"] = suggest
    return api_response(body)


def _buckets(pairs):
    return {
        "doc_count_error_upper_bound": 0,
        "sum_other_doc_count": 0,
        "buckets": [{"key": key, "doc_count": count} for key, count in pairs],
    }


def aggregations(*, types=(), topics=(), years=()):
    return {
        name: {"doc_count": sum(count for _key, count in pairs), "values": _buckets(pairs)}
        for name, pairs in (("types", types), ("topics", topics), ("years", years))
    }


def empty_aggregations():
    return aggregations()


def hit(page, *, index, type, publish_date, highlight=None):
    entry = {
        "_index": index,
        "_id": str(page.pk),
        "_score": 2.5,
        "_source": {"type": type, "title": page.title, "url_path": page.url_path, "publish_date": publish_date},
    }
    if highlight:
        entry["highlight"] = highlight
    return entry


def run_search_tasks(monkeypatch):
    """Run the queued "search" tasks as the worker does (``manage.py db_worker --batch``)."""
    # Between tasks the worker closes connections it thinks stale; inside a test's transaction
    # that is the test's own connection.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command(
        "db_worker",
        "--batch",
        "--backend=background",
        "--queue-name=search",
        "--no-startup-delay",
        "--no-reload",
        verbosity=0,
    )


def bulk_operations(client):
    """Every operation sent with ``bulk``, as (action, index, id, source or None)."""
    sent = []
    for call in client.bulk.call_args_list:
        operations = iter(call.kwargs["operations"])
        for operation in operations:
            ((action, meta),) = operation.items()
            source = next(operations) if action == "index" else None
            sent.append((action, meta["_index"], int(meta["_id"]), source))
    return sent
