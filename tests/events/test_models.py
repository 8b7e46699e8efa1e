from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from events.choices import EventStatus, ExceptionAction
from events.models import EventException, EventPage
from events.recurrence import LOCAL_TIME_ZONE, RecurrenceError, occurrences, parse_rule


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TIME_ZONE)


def test_database_refuses_an_event_ending_before_it_starts(make_event):
    event = make_event()
    with pytest.raises(IntegrityError), transaction.atomic():
        EventPage.objects.filter(pk=event.pk).update(ends_at=event.starts_at - timedelta(minutes=1))


def test_clean_explains_end_before_start_and_half_coordinates(make_event):
    event = make_event()
    event.ends_at = event.starts_at - timedelta(hours=1)
    event.latitude = 36.8
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "结束时间不能早于开始时间。" in error.value.message_dict["ends_at"]
    assert "经度和纬度须同时填写或同时留空。" in error.value.message_dict["longitude"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY;BYDAY=SA", "COUNT"),
        ("FREQ=NEVER;COUNT=3", "无法识别"),
        ("FREQ=DAILY;COUNT=1000", "重复次数过多"),
        ("FREQ=WEEKLY;UNTIL=2026-06-30", "UNTIL"),
        ("garbage", "格式不正确"),
    ],
)
def test_bad_recurrence_rules_are_refused_in_chinese(rule, message):
    with pytest.raises(RecurrenceError) as error:
        parse_rule(rule, starts_at=at(6, 6, 9))
    assert message in str(error.value.message)


def test_local_until_is_stored_in_utc():
    parsed = parse_rule("RRULE:freq=weekly;byday=SA;until=20260630", starts_at=at(6, 6, 9))
    assert parsed.text == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260630T155959Z"
    assert [start.day for start in parsed.rule] == [6, 13, 20, 27]


def test_every_saturday_in_june_with_one_cancelled_and_one_moved(make_event):
    event = make_event(starts_at=at(6, 6, 9), rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20260630")
    EventException.objects.create(page=event, original_date=date(2026, 6, 13), action=ExceptionAction.CANCEL)
    EventException.objects.create(
        page=event,
        original_date=date(2026, 6, 20),
        action=ExceptionAction.MOVE,
        new_starts_at=at(6, 21, 14),
        new_ends_at=at(6, 21, 16),
    )
    found = occurrences(EventPage.objects.get(pk=event.pk))
    assert [(o.starts_at.astimezone(LOCAL_TIME_ZONE).day, o.cancelled, o.moved) for o in found] == [
        (6, False, False),
        (13, True, False),
        (21, False, True),
        (27, False, False),
    ]
    assert found[2].original_date == date(2026, 6, 20)
    assert all(o.starts_at.astimezone(LOCAL_TIME_ZONE).hour in (9, 14) for o in found)


def test_an_event_across_midnight_and_month_end_touches_both_days(make_event):
    event = make_event(starts_at=at(6, 30, 21), hours=6)
    (occurrence,) = occurrences(event)
    assert occurrence.local_dates == [date(2026, 6, 30), date(2026, 7, 1)]
    assert occurrence.is_multi_day


def test_an_event_ending_exactly_at_midnight_does_not_touch_the_next_day(make_event):
    event = make_event(starts_at=at(6, 10, 22), hours=2)
    assert occurrences(event)[0].local_dates == [date(2026, 6, 10)]


def test_sequence_is_bumped_only_when_a_published_change_touches_the_schedule(make_event):
    event = make_event()
    first = EventPage.objects.get(pk=event.pk).sequence
    event.summary = event.summary  # nothing changes
    event.save_revision().publish()
    assert EventPage.objects.get(pk=event.pk).sequence == first
    event = EventPage.objects.get(pk=event.pk)
    event.ends_at += timedelta(hours=1)
    event.status = EventStatus.POSTPONED
    event.save_revision().publish()
    assert EventPage.objects.get(pk=event.pk).sequence == first + 1
    # Saving a draft does not count: only what calendar clients can see.
    event = EventPage.objects.get(pk=event.pk)
    event.venue_name = "新的地点"
    event.save_revision()
    assert EventPage.objects.get(pk=event.pk).sequence == first + 1


def test_map_links_open_amap_and_baidu_never_google(make_event):
    event = make_event(latitude="36.887400", longitude="120.517900", venue_name="莱西市文化广场")
    urls = [link["url"] for link in event.map_links]
    assert urls[0].startswith("https://uri.amap.com/marker?position=120.5179")
    assert urls[1].startswith("https://api.map.baidu.com/marker?location=36.8874")
    assert "coord_type=gcj02" in urls[1]
    assert not any("google" in url for url in urls)
    assert make_event().map_links == []


def test_a_stored_bad_rule_does_not_break_listings(client, index, make_event):
    event = make_event(title="规则有误的活动", days=2)
    EventPage.objects.filter(pk=event.pk).update(rrule="FREQ=NEVER")
    assert len(occurrences(EventPage.objects.get(pk=event.pk))) == 1
    assert "规则有误的活动" in client.get(index.url).content.decode()


def test_clean_normalises_the_rule_and_checks_moved_occurrences(make_event):
    event = make_event(starts_at=at(6, 6, 9))
    event.rrule = "rrule:FREQ=WEEKLY;BYDAY=SA;UNTIL=20260630"
    event.full_clean()
    assert event.rrule == "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260630T155959Z"
    event.rrule = "FREQ=WEEKLY"
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "COUNT" in error.value.message_dict["rrule"][0]
    moved = EventException(page=event, original_date=date(2026, 6, 13), action=ExceptionAction.MOVE)
    with pytest.raises(ValidationError) as error:
        moved.clean()
    assert "改期须填写新的开始和结束时间。" in error.value.message_dict["new_starts_at"]


def test_cancelling_one_occurrence_bumps_the_sequence(make_event):
    event = make_event(starts_at=at(6, 6, 9), rrule="FREQ=WEEKLY;COUNT=3")
    before = EventPage.objects.get(pk=event.pk).sequence
    event = EventPage.objects.get(pk=event.pk)
    event.exceptions.add(EventException(original_date=date(2026, 6, 13), action=ExceptionAction.CANCEL))
    event.save_revision().publish()
    assert EventPage.objects.get(pk=event.pk).sequence == before + 1


def _edit_form(event, **changes):
    """What the admin's edit form posts for ``event``, with ``changes``."""
    local = {name: getattr(event, name).astimezone(LOCAL_TIME_ZONE) for name in ("starts_at", "ends_at")}
    data = {
        "title": event.title,
        "slug": event.slug,
        "kind": event.kind,
        "organiser": event.organiser_id,
        "summary": event.summary,
        "starts_at": f"{local['starts_at']:%Y-%m-%d %H:%M}",
        "ends_at": f"{local['ends_at']:%Y-%m-%d %H:%M}",
        "rrule": event.rrule,
        "exceptions": inline_formset([]),
        "status": event.status,
        "status_note": event.status_note,
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "latitude": "",
        "longitude": "",
        "body": streamfield([]),
        "report": streamfield([]),
        "attendance": inline_formset([]),
        "capacity": "",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
        "action-publish": "publish",
        **changes,
    }
    return nested_form_data(data)


def test_publishing_in_the_admin_bumps_the_sequence_when_the_schedule_changes(client, make_event):
    event = make_event()
    before = EventPage.objects.get(pk=event.pk).sequence
    client.force_login(get_user_model().objects.create_superuser("event-editor", password="x"))
    url = f"/admin/pages/{event.pk}/edit/"
    assert client.post(url, _edit_form(event)).status_code == 302
    assert EventPage.objects.get(pk=event.pk).sequence == before
    assert client.post(url, _edit_form(event, venue_name="改到礼堂")).status_code == 302
    assert EventPage.objects.get(pk=event.pk).sequence == before + 1


def test_scheduled_publishing_bumps_the_sequence(make_event):
    event = make_event()
    before = EventPage.objects.get(pk=event.pk).sequence
    event = EventPage.objects.get(pk=event.pk)
    event.status = EventStatus.POSTPONED
    event.save_revision(approved_go_live_at=timezone.now() - timedelta(minutes=1))
    assert EventPage.objects.get(pk=event.pk).sequence == before
    call_command("publish_scheduled")
    stored = EventPage.objects.get(pk=event.pk)
    assert (stored.status, stored.sequence) == (EventStatus.POSTPONED, before + 1)
