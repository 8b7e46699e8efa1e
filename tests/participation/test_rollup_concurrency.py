"""Rollups under concurrent writers and refreshers: PostgreSQL, real threads, committed data.

A refresh locks the stale markers before it reads the ledger, and a writer's marker upsert waits
for that lock, so no entry committed during a refresh can lose its marker. Without the lock (or
with the marker merely inserted, ON CONFLICT DO NOTHING) sheets go missing from the figures.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from organizations.factories import UnitFactory
from organizations.models import Unit, UnitKind
from participation import selectors, services
from participation.factories import CampaignFactory
from participation.models import ParticipationEntry
from tests import committed_db

from .test_selectors import sheet

db = committed_db.db  # no wrapping transaction: the threads must see the data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent transactions are tested on PostgreSQL (SQLite serialises all writers)",
)

WRITERS = 24
SHEETS_EACH = 4


@pytest.fixture
def committed_school(db):
    campaign = CampaignFactory(name="测试并发汇总")
    school = UnitFactory(kind=UnitKind.SCHOOL, name="测试并发汇总小学")
    yield campaign, school
    ParticipationEntry.objects.filter(campaign=campaign).delete()
    campaign.delete()
    committed_db.delete_unit_and_made_ancestors(Unit.objects.get(pk=school.pk))


def test_concurrent_sheets_and_refreshes_lose_nothing(committed_school):
    campaign, school = committed_school
    start = threading.Event()
    writing = threading.Event()

    def write(n):
        start.wait()
        try:
            for k in range(SHEETS_EACH):
                sheet(campaign, school, name=f"并发{n}-{k}", score=60 + k, source=f"tests.race:{n}:{k}")
        finally:
            connection.close()

    def refresh():
        start.wait()
        try:
            while not writing.is_set():
                services.refresh_rollups(campaign=campaign)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WRITERS + 4) as pool:
        refreshers = [pool.submit(refresh) for _ in range(4)]
        writers = [pool.submit(write, n) for n in range(WRITERS)]
        start.set()
        for future in writers:
            future.result()
        writing.set()
        for future in refreshers:
            future.result()

    figures = selectors.figures_for(campaign=campaign, unit=school)
    assert figures.sheets == WRITERS * SHEETS_EACH
    assert figures.participants == WRITERS * SHEETS_EACH


def test_concurrent_deliveries_of_one_source_both_succeed_once(committed_school):
    campaign, school = committed_school
    start = threading.Event()

    def deliver(n):
        start.wait()
        try:
            return sheet(campaign, school, name="同一份答卷", score=70 + n, source="tests.race:same").source
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(deliver, n) for n in range(8)]
        start.set()
        assert [future.result() for future in futures] == ["tests.race:same"] * 8
    assert ParticipationEntry.objects.filter(source="tests.race:same").count() == 1
    assert selectors.figures_for(campaign=campaign, unit=school).sheets == 1
