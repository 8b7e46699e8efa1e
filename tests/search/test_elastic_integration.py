"""The Elasticsearch path against a real Elasticsearch 8 server: run only with ``ELASTICSEARCH_URL``
set (e.g. ``ELASTICSEARCH_URL=http://127.0.0.1:9200 make test``), skipped otherwise. No server can
run on the development machine or in CI, so these have not run there (README, "Search").

Each test works under its own index prefix and deletes its indices afterwards.
"""

import io
import os
import uuid

import pytest
from django.core.management import call_command
from django.test import Client

from search.models import SearchSynonym

from .elastic_support import HOST, build_site, event_page, gas_article, run_search_tasks

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

pytestmark = pytest.mark.skipif(not ELASTICSEARCH_URL, reason="needs a real Elasticsearch 8: set ELASTICSEARCH_URL")


@pytest.fixture
def elastic(db, settings):
    from search.elastic.client import get_client

    settings.ELASTICSEARCH_URL = ELASTICSEARCH_URL
    settings.ELASTICSEARCH_INDEX_PREFIX = f"test_{uuid.uuid4().hex[:8]}_"
    settings.ALLOWED_HOSTS = [HOST]
    client = get_client()
    yield client
    client.indices.delete(index=f"{settings.ELASTICSEARCH_INDEX_PREFIX}*", allow_no_indices=True)


def _search(**params):
    return Client(HTTP_HOST=HOST).get("/search/", params)


def test_a_two_character_word_finds_the_article_and_the_event_with_facets(elastic):
    own = build_site()
    article = gas_article(own)
    event_page(own)
    call_command("rebuild_search_documents", stdout=io.StringIO())
    response = _search(q="燃气")
    html = response.content.decode()
    assert response.status_code == 200
    assert article.title in html and "燃气安全进社区" in html
    assert "<mark>燃气</mark>" in html
    assert '<span class="facet-count">1</span>' in html


def test_a_published_article_is_found_after_the_sync_task(elastic, monkeypatch, django_capture_on_commit_callbacks):
    own = build_site()
    call_command("rebuild_search_documents", stdout=io.StringIO())
    with django_capture_on_commit_callbacks(execute=True):
        article = gas_article(own, title="液化气钢瓶安全使用")
        article.save_revision().publish()
    run_search_tasks(monkeypatch)
    elastic.indices.refresh(index="_all")
    assert "液化气钢瓶安全使用" in _search(q="钢瓶").content.decode()


def test_a_staff_synonym_finds_the_word_it_stands_for(elastic):
    own = build_site()
    gas_article(own, title="电动自行车充电安全")
    SearchSynonym.objects.create(term="电动车", equivalents="电动自行车")
    call_command("rebuild_search_documents", stdout=io.StringIO())
    assert "电动自行车充电安全" in _search(q="电动车").content.decode()


def test_a_misspelt_word_gets_a_suggestion_that_finds_something(elastic):
    own = build_site()
    gas_article(own)
    call_command("rebuild_search_documents", stdout=io.StringIO())
    assert "您是不是要找：" in _search(q="燃汽").content.decode()
