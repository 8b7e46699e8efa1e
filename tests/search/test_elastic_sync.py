"""Keeping the search documents in step with the pages (signals → "search" queue → bulk requests)
and the rebuild command. Only the Elasticsearch client is mocked; the tasks are queued in the
database and run by the real worker command."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult
from wagtail.models import PageViewRestriction

from search.elastic.indexing import IndexingError
from search.models import SearchSynonym

from .elastic_support import (
    build_site,
    bulk_operations,
    event_page,
    gas_article,
    run_search_tasks,
    use_mock_client,
)


@pytest.fixture
def own(db):
    return build_site()


@pytest.fixture
def client(monkeypatch, settings):
    return use_mock_client(monkeypatch, settings)


def queued():
    return list(DBTaskResult.objects.filter(queue_name="search").values_list("task_path", "args_kwargs"))


def publish(page, capture):
    with capture(execute=True):
        page.save_revision().publish()


def test_publishing_an_article_queues_a_sync_that_indexes_it(
    own, client, monkeypatch, django_capture_on_commit_callbacks
):
    article = gas_article(own)
    DBTaskResult.objects.all().delete()
    publish(article, django_capture_on_commit_callbacks)
    assert queued() == [
        (
            "search.elastic.tasks.sync_pages",
            {"args": [], "kwargs": {"page_ids": [article.pk], "include_descendants": False}},
        )
    ]
    run_search_tasks(monkeypatch)
    assert client.bulk.call_args.kwargs["require_alias"] is True
    operations = bulk_operations(client)
    indexed = [op for op in operations if op[0] == "index"]
    assert [(index, page_id) for _action, index, page_id, _source in indexed] == [("city_articles", article.pk)]
    assert indexed[0][3]["title"] == "燃气安全检查送到家门口"
    # Not an event or a contest: any copy there is removed.
    assert {(action, index) for action, index, _id, _source in operations if action == "delete"} == {
        ("delete", "city_events"),
        ("delete", "city_contests"),
    }
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_unpublishing_removes_the_document(own, client, monkeypatch, django_capture_on_commit_callbacks):
    event = event_page(own)
    with django_capture_on_commit_callbacks(execute=True):
        event.unpublish()
    run_search_tasks(monkeypatch)
    operations = bulk_operations(client)
    assert ("delete", "city_events", event.pk, None) in operations
    assert not [op for op in operations if op[0] == "index"]


def test_deleting_a_page_removes_its_document(own, client, monkeypatch, django_capture_on_commit_callbacks):
    article = gas_article(own)
    page_id = article.pk
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    run_search_tasks(monkeypatch)
    assert ("delete", "city_articles", page_id, None) in bulk_operations(client)


def test_making_a_column_private_removes_the_articles_below_it(
    own, client, monkeypatch, django_capture_on_commit_callbacks
):
    article = gas_article(own)
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=own.column, restriction_type=PageViewRestriction.LOGIN)
    run_search_tasks(monkeypatch)
    operations = bulk_operations(client)
    assert ("delete", "city_articles", article.pk, None) in operations
    assert not [op for op in operations if op[0] == "index"]


def test_moving_a_column_reindexes_its_articles_with_their_new_urls(
    own, client, monkeypatch, django_capture_on_commit_callbacks
):
    article = gas_article(own)
    other = type(own.column)(title="新专栏", slug="elastic-other", intro="另一个专栏。")
    own.home.add_child(instance=other)
    with django_capture_on_commit_callbacks(execute=True):
        own.column.move(other, pos="last-child")
    run_search_tasks(monkeypatch)
    indexed = {page_id: source for action, _index, page_id, source in bulk_operations(client) if action == "index"}
    assert indexed[article.pk]["url_path"] == "/elastic-home/elastic-other/elastic-column/elastic-gas-check/"


def test_a_failed_bulk_request_fails_the_task(own, client, monkeypatch, django_capture_on_commit_callbacks):
    article = gas_article(own)
    client.bulk.return_value = {
        "errors": True,
        "items": [{"index": {"_id": str(article.pk), "status": 404, "error": {"type": "index_not_found_exception"}}}],
    }
    publish(article, django_capture_on_commit_callbacks)
    run_search_tasks(monkeypatch)
    result = DBTaskResult.objects.get()
    assert result.status == "FAILED"
    assert result.exception_class_path == f"{IndexingError.__module__}.{IndexingError.__qualname__}"


def test_saving_a_synonym_queues_a_rebuild(db, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        synonym = SearchSynonym(term="燃汽", equivalents="燃气")
        synonym.full_clean()
        synonym.save()
    assert queued() == [("search.elastic.tasks.rebuild_indices", {"args": [], "kwargs": {}})]


def test_without_elasticsearch_nothing_is_queued(own, settings, django_capture_on_commit_callbacks):
    settings.ELASTICSEARCH_URL = ""
    article = gas_article(own)
    publish(article, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert queued() == []


def test_rebuild_creates_new_indices_fills_them_and_swaps_the_aliases(own, client):
    public = gas_article(own)
    draft = gas_article(own, slug="elastic-draft", live=False)
    event = event_page(own)
    client.indices.exists_alias.side_effect = lambda name: name == "city_articles"
    client.indices.get_alias.return_value = {"city_articles-20260101000000000000": {"aliases": {"city_articles": {}}}}
    out = io.StringIO()
    call_command("rebuild_search_documents", stdout=out)

    created = {call.kwargs["index"]: call.kwargs["body"] for call in client.indices.create.call_args_list}
    assert len(created) == 3
    new_articles = next(name for name in created if name.startswith("city_articles-"))
    assert created[new_articles]["mappings"]["properties"]["title"]["analyzer"] == "cjk"
    operations = bulk_operations(client)
    indexed = {(index, page_id) for action, index, page_id, _source in operations if action == "index"}
    assert (new_articles, public.pk) in indexed
    assert (new_articles, draft.pk) not in indexed
    assert any(page_id == event.pk and index.startswith("city_events-") for index, page_id in indexed)
    # Writes go to the new index only; searches use the alias, moved in one request.
    assert all(call.kwargs.get("require_alias") is None for call in client.bulk.call_args_list)
    swaps = [call.kwargs["actions"] for call in client.indices.update_aliases.call_args_list]
    assert swaps[0] == [
        {"remove": {"index": "city_articles-20260101000000000000", "alias": "city_articles"}},
        {"add": {"index": new_articles, "alias": "city_articles"}},
    ]
    client.indices.delete.assert_called_once_with(index=["city_articles-20260101000000000000"])

    output = out.getvalue()
    article_count = sum(1 for index, _id in indexed if index == new_articles)
    assert f"专栏文章：已索引 {article_count} 个页面" in output
    assert "搜索索引已重建。" in output


def test_rebuild_replaces_an_index_a_write_created_under_the_alias_name(own, client):
    client.indices.exists.side_effect = lambda index: index == "city_events"
    call_command("rebuild_search_documents", stdout=io.StringIO())
    actions = [call.kwargs["actions"] for call in client.indices.update_aliases.call_args_list]
    events_swap = next(swap for swap in actions if swap[-1]["add"]["alias"] == "city_events")
    assert events_swap[0] == {"remove_index": {"index": "city_events"}}


def test_rebuild_without_elasticsearch_says_so(db, settings):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(CommandError, match="未设置 ELASTICSEARCH_URL"):
        call_command("rebuild_search_documents", stdout=io.StringIO())


def test_the_search_page_says_search_is_unavailable_when_elasticsearch_cannot_answer(own, client, settings):
    from elastic_transport import ConnectionError as ElasticConnectionError

    from .elastic_support import HOST

    settings.ALLOWED_HOSTS = [HOST]
    client.search.side_effect = ElasticConnectionError("connection refused")
    response = Client(HTTP_HOST=HOST).get("/search/", {"q": "燃气"})
    assert response.status_code == 503
    assert "搜索暂时不可用，请稍后再试。" in response.content.decode()
