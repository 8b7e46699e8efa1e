"""``registration_changed`` and ``attendance_changed``: sent after the commit, once per change,
from every path that makes one; and the outcomes a listener reads from them."""

import datetime
import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from events import services
from events.choices import RegistrationStatus
from events.demo import load_demo_events
from events.errors import DuplicateRegistration
from events.models import AttendanceRecord, EventPage, Registration
from events.recurrence import LOCAL_TIME_ZONE
from events.selectors import attendance_outcomes, registration_outcome
from events.signals import attendance_changed, registration_changed
from organizations.factories import UnitFactory
from organizations.models import Campaign, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        name="测试活动宣传月", year=2026, starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 6, 30)
    )


@pytest.fixture
def event(make_event, campaign):
    return make_event(title="信号测试活动", registration_enabled=True, capacity=2, allow_groups=True, campaign=campaign)


@pytest.fixture
def changed(db):
    """(status, checked in?) of each registration_changed, in order, read when it was sent."""
    sent = []

    def receiver(sender, registration, **kwargs):
        assert sender is Registration
        stored = Registration.objects.get(pk=registration.pk)
        sent.append((registration.pk, stored.status, stored.checked_in_at is not None))

    registration_changed.connect(receiver, weak=False, dispatch_uid="tests-registration-changed")
    yield sent
    registration_changed.disconnect(dispatch_uid="tests-registration-changed")


@pytest.fixture
def attended(db):
    """The events attendance_changed was sent for, each with its outcomes when it was sent."""
    sent = []

    def receiver(sender, event, **kwargs):
        assert sender is EventPage
        sent.append((event.pk, [(row["unit_id"], row["people"]) for row in attendance_outcomes(event=event)]))

    attendance_changed.connect(receiver, weak=False, dispatch_uid="tests-attendance-changed")
    yield sent
    attendance_changed.disconnect(dispatch_uid="tests-attendance-changed")


def day(event):
    return event.starts_at.astimezone(LOCAL_TIME_ZONE).date()


def register(event, phone, **kwargs):
    kwargs.setdefault("name", "张三")
    return services.register(
        event=event, occurrence_date=day(event), phone=phone, **kwargs, adult_or_guardian_consent=True
    )


# Registrations


def test_registering_sends_once_after_the_commit(event, changed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        registration, _token = register(event, "13800000001")
    assert changed == [] and len(callbacks) == 1
    callbacks[0]()
    assert changed == [(registration.pk, RegistrationStatus.CONFIRMED, False)]


def test_a_waitlisted_registration_sends_once(event, changed, django_capture_on_commit_callbacks, school):
    with django_capture_on_commit_callbacks(execute=True):
        register(event, "13800000001", unit=school, party_size=2)
        waiting, _token = register(event, "13800000002")
    assert changed[-1] == (waiting.pk, RegistrationStatus.WAITLISTED, False)
    assert len(changed) == 2


def test_a_refused_registration_sends_nothing(event, changed, django_capture_on_commit_callbacks):
    register(event, "13800000001")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DuplicateRegistration):
        register(event, "13800000001")
    assert callbacks == [] and changed == []


def test_cancelling_sends_for_the_cancelled_and_each_promoted_registration_once(
    event, changed, django_capture_on_commit_callbacks
):
    first, first_token = register(event, "13800000001")
    register(event, "13800000002")
    waiting, _token = register(event, "13800000003")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(event=event, public_id=first.public_id, token=first_token)
        services.cancel_registration(event=event, public_id=first.public_id, token=first_token)
    assert changed == [
        (first.pk, RegistrationStatus.CANCELLED, False),
        (waiting.pk, RegistrationStatus.CONFIRMED, False),
    ]


def test_cancelling_a_waitlisted_registration_sends_once(event, changed, django_capture_on_commit_callbacks):
    register(event, "13800000001")
    register(event, "13800000002")
    waiting, token = register(event, "13800000003")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(event=event, public_id=waiting.public_id, token=token)
    assert changed == [(waiting.pk, RegistrationStatus.CANCELLED, False)]


def test_checking_in_sends_once_and_checking_in_again_sends_nothing(event, changed, django_capture_on_commit_callbacks):
    registration, _token = register(event, "13800000001")
    with django_capture_on_commit_callbacks(execute=True):
        services.check_in(event=event, public_id=registration.public_id)
        services.check_in(event=event, public_id=registration.public_id)
    assert changed == [(registration.pk, RegistrationStatus.CONFIRMED, True)]


def test_the_pages_register_cancel_and_check_in_send(client, event, changed, django_capture_on_commit_callbacks):
    # Each request is its own commit: the callbacks run after each, as they would on the site.
    staff = get_user_model().objects.create_superuser("signal-staff", password="x")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            event.url + "register/",
            {
                "occurrence": day(event).isoformat(),
                "name": "李四",
                "phone": "13800000009",
                "adult_or_guardian_consent": "on",
            },
        )
    assert response.status_code == 302
    registration = Registration.objects.get(event=event, phone="13800000009")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(event.url + f"check-in/{registration.public_id}/").status_code == 302
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(response["Location"]).status_code == 302
    assert changed == [
        (registration.pk, RegistrationStatus.CONFIRMED, False),
        (registration.pk, RegistrationStatus.CONFIRMED, True),
        (registration.pk, RegistrationStatus.CANCELLED, True),
    ]


def test_a_failing_receiver_is_logged_and_the_registration_stands(
    event, changed, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, registration, **kwargs):
        raise RuntimeError("ledger down")

    registration_changed.connect(broken, weak=False, dispatch_uid="tests-broken-registration-receiver")
    try:
        with caplog.at_level(logging.ERROR, logger="events.signals"), django_capture_on_commit_callbacks(execute=True):
            registration, _token = register(event, "13800000001")
    finally:
        registration_changed.disconnect(dispatch_uid="tests-broken-registration-receiver")
    assert Registration.objects.filter(pk=registration.pk).exists()
    assert changed == [(registration.pk, RegistrationStatus.CONFIRMED, False)]
    assert [
        record for record in caplog.records if record.name == "events.signals" and "ledger down" in record.getMessage()
    ]


def test_the_outcome_of_a_registration(event, campaign, school):
    group, _token = register(event, "13800000001", name="王老师", unit=school, party_size=2)
    arrived = timezone.now()
    services.check_in(event=event, public_id=group.public_id, now=arrived)
    group.refresh_from_db()
    assert registration_outcome(registration=group) == {
        "registration_id": group.pk,
        "event_page_id": event.pk,
        "campaign_id": campaign.pk,
        "unit_id": school.pk,
        "name": "王老师",
        "phone": "13800000001",
        "party_size": 2,
        "status": RegistrationStatus.CONFIRMED,
        "checked_in_at": arrived,
        "occurrence_date": day(event),
        "created_at": group.created_at,
    }
    person, _token = register(event, "13800000002", name="个人")
    outcome = registration_outcome(registration=person)
    assert (outcome["unit_id"], outcome["checked_in_at"], outcome["status"]) == (
        None,
        None,
        RegistrationStatus.WAITLISTED,
    )


def test_the_outcome_reads_the_committed_state_not_a_stale_instance(event):
    registration, token = register(event, "13800000001")
    services.cancel_registration(event=event, public_id=registration.public_id, token=token)
    assert registration.status == RegistrationStatus.CONFIRMED  # this copy is stale
    assert registration_outcome(registration=registration)["status"] == RegistrationStatus.CANCELLED


# Attendance


@pytest.fixture
def units(school):
    return school, UnitFactory(kind=UnitKind.COMMUNITY, name="测试社区", parent=school.parent)


def record_attendance(event, rows, *, publish=True):
    """What an editor does: fill the 参加人数 inline and publish (or only save a draft)."""
    event = EventPage.objects.get(pk=event.pk)
    by_unit = {record.unit_id: record for record in event.attendance.all()}
    records = []
    for unit, count in rows:
        record = by_unit.get(unit.pk) or AttendanceRecord(unit=unit)
        record.count = count
        records.append(record)
    event.attendance = records
    revision = event.save_revision()
    if publish:
        revision.publish()


def test_publishing_attendance_sends_once_per_publish_with_the_whole_attendance(
    event, units, attended, django_capture_on_commit_callbacks
):
    school, community = units
    with django_capture_on_commit_callbacks(execute=True):
        record_attendance(event, [(school, 300), (community, 45)])
    assert attended == [(event.pk, [(school.pk, 300), (community.pk, 45)])]


def test_publishing_unchanged_attendance_or_saving_a_draft_sends_nothing(
    event, units, attended, django_capture_on_commit_callbacks
):
    school, community = units
    record_attendance(event, [(school, 300)])
    with django_capture_on_commit_callbacks(execute=True):
        record_attendance(event, [(school, 300)])
        record_attendance(event, [(school, 999), (community, 1)], publish=False)
        EventPage.objects.get(pk=event.pk).save_revision().publish()  # an unrelated edit
    assert attended == []


def test_changing_a_count_adding_and_removing_a_unit_each_send(
    event, units, attended, django_capture_on_commit_callbacks
):
    school, community = units
    record_attendance(event, [(school, 300)])
    for rows in ([(school, 320)], [(school, 320), (community, 45)], [(community, 45)]):
        with django_capture_on_commit_callbacks(execute=True):
            record_attendance(event, rows)
    assert attended == [
        (event.pk, [(school.pk, 320)]),
        (event.pk, [(school.pk, 320), (community.pk, 45)]),
        (event.pk, [(community.pk, 45)]),
    ]


def test_rows_written_directly_send_once_per_transaction(event, units, attended, django_capture_on_commit_callbacks):
    school, community = units
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        AttendanceRecord.objects.create(page=event, unit=school, count=10)
        AttendanceRecord.objects.create(page=event, unit=community, count=20)
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceRecord.objects.filter(page=event, unit=community).get().delete()
    assert attended == [(event.pk, [(school.pk, 10), (community.pk, 20)]), (event.pk, [(school.pk, 10)])]


def test_a_rolled_back_change_sends_nothing(event, units, attended, django_capture_on_commit_callbacks):
    school, _community = units
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        AttendanceRecord.objects.create(page=event, unit=school, count=10)
        raise RuntimeError("rolled back")
    assert attended == []
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceRecord.objects.create(page=event, unit=school, count=10)
    assert attended == [(event.pk, [(school.pk, 10)])]


def test_unpublishing_and_republishing_an_event_with_attendance_send(
    event, units, attended, django_capture_on_commit_callbacks
):
    school, _community = units
    record_attendance(event, [(school, 300)])
    with django_capture_on_commit_callbacks(execute=True):
        EventPage.objects.get(pk=event.pk).unpublish()
    assert attended == [(event.pk, [])]  # only a live event's attendance counts
    with django_capture_on_commit_callbacks(execute=True):
        EventPage.objects.get(pk=event.pk).save_revision().publish()
    assert attended == [(event.pk, []), (event.pk, [(school.pk, 300)])]


def test_unpublishing_an_event_without_attendance_sends_nothing(event, attended, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        EventPage.objects.get(pk=event.pk).unpublish()
    assert attended == []


def test_deleting_an_event_sends_nothing(event, units, attended, django_capture_on_commit_callbacks):
    school, _community = units
    record_attendance(event, [(school, 300)])
    with django_capture_on_commit_callbacks(execute=True):
        EventPage.objects.get(pk=event.pk).delete()
    assert attended == []


def test_the_attendance_outcomes(event, campaign, units):
    school, community = units
    record_attendance(event, [(school, 300), (community, 45)])
    records = {record.unit_id: record.pk for record in AttendanceRecord.objects.filter(page=event)}
    assert attendance_outcomes(event=event) == [
        {
            "source_id": records[unit.pk],
            "event_page_id": event.pk,
            "unit_id": unit.pk,
            "people": people,
            "date": day(event),
            "campaign_id": campaign.pk,
        }
        for unit, people in ((school, 300), (community, 45))
    ]
    record_attendance(event, [(school, 310), (community, 45)])
    assert {row["source_id"] for row in attendance_outcomes(event=event)} == set(records.values()), "ids are stable"


def test_an_event_without_a_campaign_gives_none(make_event, units):
    school, _community = units
    event = make_event(title="无宣传活动")
    record_attendance(event, [(school, 5)])
    assert [row["campaign_id"] for row in attendance_outcomes(event=event)] == [None]


# The demo


def test_the_demo_sends_for_its_registrations_check_ins_and_attendance(
    home_page, changed, attended, django_capture_on_commit_callbacks
):
    campaign = Campaign.objects.get(name="2026年安全生产月")
    speech = EventPage.objects.get(slug="2026-speech-contest")
    drill = EventPage.objects.get(slug="shuiji-campus-fire-drill")
    assert speech.campaign == campaign and drill.campaign == campaign
    assert EventPage.objects.get(slug="winter-electrical-fire-training").campaign is None
    speech.delete()
    drill.delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert load_demo_events(home=home_page) == 2
    speech = EventPage.objects.get(slug="2026-speech-contest")
    drill = EventPage.objects.get(slug="shuiji-campus-fire-drill")
    registrations = list(Registration.objects.filter(event=speech))
    assert len(registrations) == 5
    checked_in = [r for r in registrations if r.checked_in_at is not None]
    held = speech.starts_at < timezone.now()
    assert len(checked_in) == (4 if held else 0)
    # One send on registering and one on checking in (all read after the one commit of the load).
    expected = sorted([r.pk for r in registrations] + [r.pk for r in checked_in])
    assert sorted(pk for pk, _status, _arrived in changed) == expected
    assert [pk for pk, _rows in attended] == [drill.pk]
    assert [row["people"] for row in attendance_outcomes(event=drill)] == [1200]


def test_the_event_editor_offers_the_campaign(client, event, campaign):
    client.force_login(get_user_model().objects.get(username="admin"))
    html = client.get(f"/admin/pages/{event.pk}/edit/").content.decode()
    assert "宣传活动" in html
    # Campaigns are snippets: the editor shows a chooser with the chosen campaign's id.
    assert f'name="campaign" value="{campaign.pk}"' in html
