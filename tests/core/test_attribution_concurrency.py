"""Concurrent first views of the day on PostgreSQL, with real threads and committed data: two
readers may both miss the UPDATE and race to INSERT; the loser must still count (SQLite
serialises all writers, so it has no such race)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from core import attribution
from core.models import MediaOutlet, OutletPageView
from home.factories import ArticlePageFactory
from tests import committed_db

db = committed_db.db  # no wrapping transaction: the threads must see each other's rows

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions are tested on PostgreSQL (SQLite serialises all writers)",
)

READERS = 16
VIEWS_EACH = 5


@pytest.fixture
def committed_page(db, home_page):
    outlet = MediaOutlet.objects.create(name="测试并发媒体", allowed_origins="https://race.example.cn")
    article = ArticlePageFactory(parent=home_page, title="测试并发计数")
    yield outlet, article
    OutletPageView.objects.filter(outlet=outlet).delete()
    article.delete()
    outlet.delete()


def test_concurrent_views_are_all_counted(committed_page):
    outlet, article = committed_page
    start = threading.Barrier(READERS)

    def read():
        start.wait()
        try:
            for _n in range(VIEWS_EACH):
                attribution.count_embed_view(outlet=outlet, page=article)
        finally:
            connection.close()

    with ThreadPoolExecutor(READERS) as pool:
        for future in [pool.submit(read) for _n in range(READERS)]:
            future.result()
    rows = OutletPageView.objects.filter(outlet=outlet, page=article)
    assert [(row.day, row.views) for row in rows] == [(attribution.today(), READERS * VIEWS_EACH)]
