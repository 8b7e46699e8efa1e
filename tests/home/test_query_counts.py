"""Queries per uncached page: the home page, a column listing and an article run as many queries
with 30 articles as with 3, and no more than the counts reached in issue 12.

The page cache is off (every request renders); the data every page shares (navigation, 网站信息,
topics, columns, the footer) stays cached until a page or a setting changes, as in production, so
each count is taken after one request has filled it.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.factories import ArticlePageFactory, AudienceFactory, ColumnIndexPageFactory, PosterImageFactory, TopicFactory

pytestmark = pytest.mark.django_db

# Ceilings (issue 12: 18, 15 and 22 before): the home page also shows the open contests and the
# upcoming events, whose queries belong to those apps.
MAX_QUERIES = {"home": 13, "listing": 8, "article": 10}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def column(home_page):
    # The newest column, so that the home page lists its articles.
    return ColumnIndexPageFactory(parent=home_page, slug="query-count-column", campaign_year=2030)


def _add_articles(column, count, start):
    topics = [TopicFactory(slug="query-count-gas"), TopicFactory(slug="query-count-fire")]
    audience = AudienceFactory(slug="qc-residents")
    articles = []
    for n in range(start, start + count):
        articles.append(
            ArticlePageFactory(
                parent=column,
                slug=f"query-count-{n}",
                publish_date=datetime.date(2030, 1, 1) + datetime.timedelta(days=n),
                cover_image=PosterImageFactory(),
                cover_alt_text="宣传图片",
                topics=topics,
                audiences=[audience],
            )
        )
    return articles


def _queries(client, url):
    assert client.get(url).status_code == 200  # fills the shared caches and the renditions
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _counts(client, home_page, column, article):
    return {
        "home": _queries(client, home_page.url),
        "listing": _queries(client, column.url),
        "article": _queries(client, article.url),
    }


def test_queries_per_page_do_not_grow_with_the_number_of_articles(client, home_page, column):
    articles = _add_articles(column, 3, start=0)
    article = articles[1]
    few = _counts(client, home_page, column, article)
    _add_articles(column, 27, start=3)
    many = _counts(client, home_page, column, article)
    assert many == few
    for page, count in many.items():
        assert count <= MAX_QUERIES[page], f"{page}: {count} queries, at most {MAX_QUERIES[page]}"


def test_the_article_pages_topics_audiences_and_cover_are_read_once(client, column):
    article = _add_articles(column, 1, start=0)[0]
    client.get(article.url)
    with CaptureQueriesContext(connection) as queries:
        client.get(article.url)
    topic_reads = [q["sql"] for q in queries if 'FROM "home_topic"' in q["sql"]]
    cover_reads = [q["sql"] for q in queries if 'FROM "wagtailimages_image"' in q["sql"]]
    assert len(topic_reads) == 1
    assert not cover_reads  # read with the article


def test_the_view_restrictions_are_read_once_per_page(client, column):
    # Not the home page: its contests and events slots call Wagtail's .public() (quizzes, events).
    article = _add_articles(column, 1, start=0)[0]
    for url in (column.url, article.url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        reads = [q["sql"] for q in queries if "wagtailcore_pageviewrestriction" in q["sql"]]
        # The serve hook's own query; every .public() of these pages is a subquery of another.
        assert len([sql for sql in reads if sql.lstrip().startswith('SELECT "wagtailcore_pageviewrestriction"')]) == 1
