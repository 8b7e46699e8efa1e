"""Every feed is parsed back with icalendar and checked."""

from datetime import date, datetime

import pytest
from icalendar import Calendar

from events.choices import EventKind, EventStatus, ExceptionAction
from events.models import EventException, EventPage
from events.recurrence import LOCAL_TIME_ZONE
from organizations.factories import UnitFactory
from organizations.models import UnitKind


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TIME_ZONE)


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return calendar, {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" not in e}


def test_one_event_feed(client, make_event):
    event = make_event(
        title="跨夜演练",
        starts_at=at(6, 30, 21),
        hours=6,
        kind=EventKind.DRILL,
        latitude="36.8874",
        longitude="120.5179",
    )
    calendar, events = parse(client.get(f"/events/{event.pk}/event.ics"))
    assert calendar["VERSION"] == "2.0"
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Asia/Shanghai"
    vevent = events["跨夜演练"]
    assert vevent["UID"] == f"event-{event.translation_key}@outreach"
    assert vevent["DTSTART"].dt == at(6, 30, 21)
    assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert vevent["DTEND"].dt == at(7, 1, 3)
    assert vevent["DTSTAMP"].dt.utcoffset().total_seconds() == 0
    assert vevent["SEQUENCE"] == 0
    assert vevent["STATUS"] == "CONFIRMED"
    assert vevent["GEO"].latitude == pytest.approx(36.8874)
    assert event.url in str(vevent["URL"])


def test_uid_is_stable_and_sequence_goes_up_when_the_event_changes(client, make_event):
    event = make_event(title="可能取消的活动")
    _calendar, before = parse(client.get(f"/events/{event.pk}/event.ics"))
    event = EventPage.objects.get(pk=event.pk)
    event.status = EventStatus.CANCELLED
    event.save_revision().publish()
    _calendar, after = parse(client.get(f"/events/{event.pk}/event.ics"))
    assert after["可能取消的活动"]["UID"] == before["可能取消的活动"]["UID"]
    assert after["可能取消的活动"]["SEQUENCE"] == before["可能取消的活动"]["SEQUENCE"] + 1
    assert after["可能取消的活动"]["STATUS"] == "CANCELLED"


def test_recurring_event_has_rrule_exdate_and_a_moved_occurrence(client, make_event):
    event = make_event(title="周六开放日", starts_at=at(6, 6, 9), rrule="FREQ=WEEKLY;BYDAY=SA;UNTIL=20260630")
    EventException.objects.create(page=event, original_date=date(2026, 6, 13), action=ExceptionAction.CANCEL)
    EventException.objects.create(
        page=event,
        original_date=date(2026, 6, 20),
        action=ExceptionAction.MOVE,
        new_starts_at=at(6, 21, 14),
        new_ends_at=at(6, 21, 17),
    )
    calendar, events = parse(client.get(f"/events/{event.pk}/event.ics"))
    master = events["周六开放日"]
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["BYDAY"] == ["SA"]
    assert master["RRULE"]["UNTIL"][0] == datetime(2026, 6, 30, 15, 59, 59, tzinfo=master["RRULE"]["UNTIL"][0].tzinfo)
    assert [d.dt for d in master["EXDATE"].dts] == [at(6, 13, 9)]
    (moved,) = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert moved["UID"] == master["UID"]
    assert moved["RECURRENCE-ID"].dt == at(6, 20, 9)
    assert moved["DTSTART"].dt == at(6, 21, 14)


def test_subscribable_feed_filters_by_kind_and_town_and_hides_private_events(client, make_event, town):
    from wagtail.models import PageViewRestriction

    make_event(title="校园讲座", kind=EventKind.CAMPUS)
    other = UnitFactory(kind=UnitKind.ENTERPRISE, parent=UnitFactory(kind=UnitKind.TOWN, name="别的镇"))
    make_event(title="企业培训", kind=EventKind.TRAINING, organiser=other)
    make_event(title="草稿", publish=False)
    private = make_event(title="内部会议")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    _calendar, everything = parse(client.get("/events/feed.ics"))
    assert {"校园讲座", "企业培训"} <= set(everything) and not {"草稿", "内部会议"} & set(everything)
    _calendar, campus = parse(client.get("/events/feed.ics", {"kind": "campus"}))
    assert "校园讲座" in campus and "企业培训" not in campus
    _calendar, in_town = parse(client.get("/events/feed.ics", {"town": town.pk}))
    assert "校园讲座" in in_town and "企业培训" not in in_town
    assert client.get("/events/feed.ics", {"kind": "nope"}).status_code == 404
    assert client.post("/events/feed.ics").status_code == 405


def test_listing_advertises_the_feeds(client, index):
    body = client.get(index.url, {"kind": "campus"}).content.decode()
    assert '<link rel="alternate" type="text/calendar"' in body
    assert 'href="webcal://testserver/events/feed.ics"' in body
    assert "webcal://testserver/events/feed.ics?kind=campus" in body


def test_demo_feed_parses(client, db):
    _calendar, events = parse(client.get("/events/feed.ics"))
    assert any("安全咨询日" in summary for summary in events)
