"""The public search page when ``ELASTICSEARCH_URL`` is set, rendered from what Elasticsearch answers
(the client is the only thing mocked, tests/search/elastic_support.py): results with their
highlighted excerpts, the facet counts as links, the chosen facet marked, and "did you mean" when
nothing is found."""

import pytest
from django.test import Client

from home.factories import TopicFactory

from .elastic_support import (
    HOST,
    aggregations,
    api_response,
    build_site,
    gas_article,
    hit,
    search_response,
    use_mock_client,
)


@pytest.fixture
def own(db):
    return build_site()


@pytest.fixture
def es(monkeypatch, settings):
    settings.ALLOWED_HOSTS = [HOST]
    return use_mock_client(monkeypatch, settings)


def _get(**params):
    return Client(HTTP_HOST=HOST).get("/search/", params)


def _sent_body(es):
    call = es.search.call_args
    return call.kwargs.get("body") or {key: value for key, value in call.kwargs.items() if key != "index"}


def test_results_show_the_highlighted_excerpt_and_the_facet_counts(own, es):
    article = gas_article(own)
    es.search.return_value = search_response(
        [
            hit(
                article,
                index="city_articles_1",
                type="article",
                publish_date="2026-06-20",
                highlight={"summary": ["社区网格员上门检查\ue000燃气\ue001软管和报警器。"]},
            )
        ],
        aggregations=aggregations(types=[("article", 1), ("event", 2)], topics=[("elastic-gas", 1)], years=[(2026, 3)]),
    )
    response = _get(q="燃气")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/elastic-column/elastic-gas-check/"' in html
    assert "燃气安全检查送到家门口" in html
    assert "社区网格员上门检查<mark>燃气</mark>软管和报警器。" in html
    # Each facet value is a link that narrows the search, with its count.
    assert 'href="?q=%E7%87%83%E6%B0%94&amp;type=event"' in html
    assert "居家用气（索引）" in html and "2026年" in html
    assert '<span class="facet-count">2</span>' in html
    assert _sent_body(es)["query"]["bool"]["must"][0]["multi_match"]["query"] == "燃气"


def test_a_chosen_type_is_marked_filters_the_hits_and_can_be_cleared(own, es):
    TopicFactory(slug="elastic-gas", name="居家用气（索引）")
    es.search.return_value = search_response(
        [], total=0, aggregations=aggregations(types=[("article", 4), ("event", 2)])
    )
    html = _get(q="燃气", type="event").content.decode()
    assert '<strong aria-current="true">活动</strong>' in html
    assert 'href="?q=%E7%87%83%E6%B0%94"' in html and "全部类型" in html
    # The type narrows the hits only (post_filter), so the type facet still counts every type.
    assert "event" in str(_sent_body(es)["post_filter"])


def test_nothing_found_offers_the_corrected_query_that_finds_something(own, es):
    es.search.return_value = search_response(
        [],
        total=0,
        suggest={
            "spelling": [
                {"text": "燃汽", "offset": 0, "length": 2, "options": [{"text": "燃气", "score": 0.5, "freq": 4}]}
            ]
        },
    )
    counted = search_response([], total=4).body
    es.msearch.return_value = api_response({"took": 1, "responses": [{**counted, "status": 200}]})
    html = _get(q="燃汽").content.decode()
    assert "您是不是要找：" in html
    assert '<a href="/search/?q=%E7%87%83%E6%B0%94">燃气</a>（4 条）' in html


@pytest.mark.parametrize(
    ("params", "message"), [({"type": "poster"}, "没有这种内容类型。"), ({"topic": "nope"}, "没有找到这个主题。")]
)
def test_an_unknown_type_or_topic_is_a_chinese_404(own, es, params, message):
    response = _get(q="燃气", **params)
    assert response.status_code == 404
    assert message in response.content.decode()
    es.search.assert_not_called()
