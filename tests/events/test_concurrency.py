"""Never overbooked, under real concurrency: PostgreSQL, real threads, committed data.

No ``transactional_db``: its flush would delete the demo site every other test reads. These
tests commit their own event and delete it afterwards.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from events import services
from events.choices import RegistrationStatus
from events.errors import DuplicateRegistration
from events.factories import EventIndexPageFactory, EventPageFactory
from events.models import Registration
from events.recurrence import local_date
from home.models import HomePage
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from tests import committed_db

db = committed_db.db  # no wrapping transaction: the threads must see the data

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and concurrent transactions are tested on PostgreSQL (SQLite serialises all writers)",
)


@pytest.fixture
def committed(db):
    index = EventIndexPageFactory(parent=HomePage.objects.get(), slug="race-events")
    school = UnitFactory(kind=UnitKind.SCHOOL, name="并发报名小学")
    starts_at = timezone.now() + timedelta(days=5)
    event = EventPageFactory(
        parent=index,
        slug="race-event",
        organiser=school,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        registration_enabled=True,
        capacity=20,
        allow_groups=True,
    )
    yield event
    for alias in connections:
        connections[alias].close()
    Registration.objects.filter(event=event).delete()
    index.delete()
    committed_db.delete_unit_and_made_ancestors(school)


# PostgreSQL allows 100 connections in all, shared with other test runs: 40 threads at a time.
WORKERS = 40


def run_concurrently(work, count):
    """Call ``work(n)`` for n < ``count`` from ``WORKERS`` threads, all released at once."""
    start = threading.Event()

    def task(n):
        start.wait()
        try:
            return work(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(task, n) for n in range(count)]
        start.set()
        return [future.result() for future in futures]


def test_hundred_concurrent_registrations_for_the_last_ten_places(committed):
    day = local_date(committed.starts_at)
    for n in range(10):
        services.register(
            event=committed,
            occurrence_date=day,
            name=f"先报名{n}",
            phone=f"1370000{n:04d}",
            adult_or_guardian_consent=True,
        )

    def work(n):
        registration, _token = services.register(
            event=committed,
            occurrence_date=day,
            name=f"并发{n}",
            phone=f"1380000{n:04d}",
            adult_or_guardian_consent=True,
        )
        return registration.status

    statuses = run_concurrently(work, 100)
    assert statuses.count(RegistrationStatus.CONFIRMED) == 10
    assert statuses.count(RegistrationStatus.WAITLISTED) == 90
    assert services.confirmed_places(event=committed, occurrence_date=day) == 20


def test_concurrent_registrations_with_one_phone_give_one_registration(committed):
    day = local_date(committed.starts_at)

    def work(n):
        try:
            services.register(
                event=committed,
                occurrence_date=day,
                name=f"同号{n}",
                phone="13900009999",
                adult_or_guardian_consent=True,
            )
        except DuplicateRegistration:
            return "duplicate"
        return "ok"

    results = run_concurrently(work, 30)
    assert results.count("ok") == 1 and results.count("duplicate") == 29
    assert Registration.objects.filter(event=committed, phone="13900009999").count() == 1


def _fill_with_a_group_at_the_head_of_the_waitlist(event, day, waiting):
    """Twenty people in the twenty places (returned with their cancel tokens); waiting: a pair of
    the school, then ``waiting`` people."""
    confirmed = [
        services.register(
            event=event, occurrence_date=day, name=f"在册{n}", phone=f"1370000{n:04d}", adult_or_guardian_consent=True
        )
        for n in range(20)
    ]
    group, _token = services.register(
        event=event,
        occurrence_date=day,
        name="带队老师",
        phone="13600000000",
        unit=event.organiser,
        party_size=2,
        adult_or_guardian_consent=True,
    )
    queue = [
        services.register(
            event=event,
            occurrence_date=day,
            name=f"候补{n}",
            phone=f"1360000{n + 1:04d}",
            adult_or_guardian_consent=True,
        )[0]
        for n in range(waiting)
    ]
    assert {r.status for r in [group, *queue]} == {RegistrationStatus.WAITLISTED}
    return confirmed, group, queue


def _statuses(registrations):
    stored = dict(Registration.objects.filter(pk__in=[r.pk for r in registrations]).values_list("pk", "status"))
    return [stored[r.pk] for r in registrations]


def test_concurrent_newcomers_while_people_wait_all_join_the_queue(committed):
    """Three cancels race forty newcomers: the three freed places go to the first three waiting
    people (the pair at the head does not fit in one place), never to a newcomer."""
    day = local_date(committed.starts_at)
    confirmed, group, queue = _fill_with_a_group_at_the_head_of_the_waitlist(committed, day, waiting=3)

    def work(n):
        if n < 3:
            registration, token = confirmed[n]
            services.cancel_registration(event=committed, public_id=registration.public_id, token=token)
            return None
        registration, _token = services.register(
            event=committed,
            occurrence_date=day,
            name=f"新来{n}",
            phone=f"1350000{n:04d}",
            adult_or_guardian_consent=True,
        )
        return registration

    newcomers = [r for r in run_concurrently(work, 43) if r is not None]
    assert _statuses(queue) == [RegistrationStatus.CONFIRMED] * 3
    assert _statuses([group, *newcomers]) == [RegistrationStatus.WAITLISTED] * 41
    assert services.confirmed_places(event=committed, occurrence_date=day) == 20


def test_concurrent_cancels_promote_the_waitlist_in_order(committed):
    """Ten people cancel at once: the first ten single people waiting get the places, each once,
    and none is left free. Without the lock on the event row, cancels that do not see each other
    promote the same person and leave places empty."""
    day = local_date(committed.starts_at)
    confirmed, group, queue = _fill_with_a_group_at_the_head_of_the_waitlist(committed, day, waiting=15)

    def work(n):
        registration, token = confirmed[n]
        services.cancel_registration(event=committed, public_id=registration.public_id, token=token)

    run_concurrently(work, 10)
    assert _statuses(queue) == [RegistrationStatus.CONFIRMED] * 10 + [RegistrationStatus.WAITLISTED] * 5
    assert _statuses([group]) == [RegistrationStatus.WAITLISTED]
    assert services.confirmed_places(event=committed, occurrence_date=day) == 20
