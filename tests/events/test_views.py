import json
import re
from datetime import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from events.choices import EventKind, EventStatus
from events.recurrence import LOCAL_TIME_ZONE
from home.factories import AudienceFactory
from organizations.factories import UnitFactory
from organizations.models import UnitKind


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TIME_ZONE)


def test_upcoming_lists_future_events_and_past_lists_finished_ones(client, index, make_event):
    make_event(title="明天的咨询日", days=1)
    make_event(title="上周的演练", days=-7)
    upcoming = client.get(index.url).content.decode()
    assert "明天的咨询日" in upcoming and "上周的演练" not in upcoming
    past = client.get(index.url + "past/").content.decode()
    assert "活动回顾" in past and "上周的演练" in past and "明天的咨询日" not in past


def test_private_and_unpublished_events_appear_nowhere(client, index, make_event):
    make_event(title="草稿活动", publish=False)
    private = make_event(title="内部活动")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    start = (private.starts_at).astimezone(LOCAL_TIME_ZONE)
    for url in [
        index.url,
        index.url + f"calendar/?month={start:%Y-%m}",
        "/events/feed.ics",
        "/",
    ]:
        body = client.get(url).content.decode()
        assert "草稿活动" not in body and "内部活动" not in body, url
    assert client.get(f"/events/{private.pk}/event.ics").status_code == 404


def test_filters_by_kind_town_and_audience(client, index, make_event, town):
    students = AudienceFactory(slug="test-students", name="测试学生")
    other_town = UnitFactory(kind=UnitKind.TOWN, name="另一个镇")
    make_event(title="校园活动甲", kind=EventKind.CAMPUS, audiences=[students])
    make_event(
        title="企业活动乙",
        kind=EventKind.ENTERPRISE,
        organiser=UnitFactory(kind=UnitKind.ENTERPRISE, parent=other_town),
    )
    assert "企业活动乙" not in client.get(index.url, {"kind": "campus"}).content.decode()
    body = client.get(index.url, {"town": town.pk}).content.decode()
    assert "校园活动甲" in body and "企业活动乙" not in body
    body = client.get(index.url, {"audience": "test-students"}).content.decode()
    assert "校园活动甲" in body and "企业活动乙" not in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "party"}, "没有这种活动类型"),
        ({"town": "abc"}, "没有找到这个镇"),
        ({"town": "999999"}, "没有找到这个镇"),
        ({"town": "²"}, "没有找到这个镇"),
        ({"town": "99999999999999999999"}, "没有找到这个镇"),
        ({"audience": "aliens"}, "没有找到面向对象"),
    ],
)
def test_unknown_filters_are_404_with_a_chinese_message(client, index, params, message):
    response = client.get(index.url, params)
    assert response.status_code == 404
    assert message in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "²", "0", "99999", "99999999999999999999"])
def test_any_page_number_shows_a_page(client, index, make_event, page):
    make_event(title="唯一的活动")
    response = client.get(index.url, {"page": page})
    assert response.status_code == 200 and "唯一的活动" in response.content.decode()


def test_an_unknown_event_id_in_a_feed_address_is_404(client, db):
    for page_id in ("99999999999999999999", "²", "abc"):
        assert client.get(f"/events/{page_id}/event.ics").status_code == 404
    assert client.get("/events/feed.ics", {"town": "99999999999999999999"}).status_code == 404


@pytest.mark.parametrize("month", ["2026-13", "abc", "26-06", "1999-01", "2026-6"])
def test_bad_month_is_404_with_a_message(client, index, month):
    response = client.get(index.url + "calendar/", {"month": month})
    assert response.status_code == 404
    assert "月份格式不正确" in response.content.decode()


def test_month_calendar_shows_an_event_across_midnight_and_month_end_in_both_months(client, index, make_event):
    make_event(title="跨月夜间演练", starts_at=at(6, 30, 21), hours=6)
    june = client.get(index.url + "calendar/", {"month": "2026-06"}).content.decode()
    assert "2026年6月活动日历" in june
    july = client.get(index.url + "calendar/", {"month": "2026-07"}).content.decode()
    for body in (june, july):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
        days = [cell for cell in cells if "跨月夜间演练" in cell]
        assert any('datetime="2026-06-30"' in cell for cell in days)
        assert any('datetime="2026-07-01"' in cell for cell in days)
    august = client.get(index.url + "calendar/", {"month": "2026-08"}).content.decode()
    assert "跨月夜间演练" not in august


def test_calendar_shows_each_occurrence_of_a_recurring_event(client, index, make_event):
    make_event(title="周六开放日", starts_at=at(6, 6, 9), rrule="FREQ=WEEKLY;BYDAY=SA;COUNT=4")
    body = client.get(index.url + "calendar/", {"month": "2026-06"}).content.decode()
    cells = [cell for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S) if "周六开放日" in cell]
    assert len(cells) == 4


def test_index_query_count_does_not_grow_with_the_number_of_events(client, index, make_event):
    def count_queries():
        cache.clear()  # neither the page cache nor the cached site root paths may hide queries
        with CaptureQueriesContext(connection) as queries:
            assert client.get(index.url).status_code == 200
        return len(queries)

    for n in range(3):
        make_event(title=f"活动{n}", days=n + 1, audiences=[AudienceFactory()])
    few = count_queries()
    for n in range(12):
        make_event(
            title=f"更多活动{n}", days=n + 5, audiences=[AudienceFactory()], rrule="FREQ=DAILY;COUNT=2" if n % 2 else ""
        )
    assert count_queries() == few


def test_event_page_banner_json_ld_and_feed_links(client, make_event):
    event = make_event(
        title="改为线上的讲座",
        status=EventStatus.MOVED_ONLINE,
        status_note="改在直播平台进行。",
        latitude="36.887400",
        longitude="120.517900",
    )
    body = client.get(event.url).content.decode()
    assert "活动改为线上" in body and "改在直播平台进行。" in body
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)]
    data = next(b for b in blocks if b["@type"] == "Event")
    assert data["eventStatus"] == "https://schema.org/EventMovedOnline"
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["startDate"].endswith("+08:00")
    assert 'rel="alternate" type="text/calendar"' in body
    assert f'href="webcal://testserver/events/{event.pk}/event.ics"' in body
    assert "uri.amap.com" in body and "api.map.baidu.com" in body


def test_json_ld_of_a_cancelled_event_has_a_place(client, make_event):
    event = make_event(status=EventStatus.CANCELLED, latitude="36.8", longitude="120.5")
    body = client.get(event.url).content.decode()
    blocks = [json.loads(b) for b in re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)]
    data = next(b for b in blocks if b["@type"] == "Event")
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["location"]["@type"] == "Place"
    assert data["location"]["geo"]["latitude"] == 36.8
    assert "活动已取消" in body


def test_home_page_shows_the_next_three_events(client, make_event):
    for n in range(4):
        make_event(title=f"首页活动{n}", days=n + 1)
    body = client.get("/").content.decode()
    assert all(f"首页活动{n}" in body for n in range(3)) and "首页活动3" not in body


def test_demo_calendar(client, db):
    from events.demo import load_demo_events
    from events.models import AttendanceRecord, EventPage, Registration
    from home.models import HomePage

    events = EventPage.objects.live()
    assert events.filter(kind=EventKind.CONSULTATION_DAY).exists()
    assert events.filter(kind=EventKind.SPEECH_CONTEST).exists()
    outreach = events.filter(
        kind__in=[EventKind.CAMPUS, EventKind.COMMUNITY, EventKind.ENTERPRISE, EventKind.DRILL, EventKind.TRAINING]
    )
    assert outreach.count() >= 8
    assert len({event.organiser.town_id for event in outreach}) >= 6
    assert events.filter(status=EventStatus.CANCELLED).count() == 1
    assert events.exclude(rrule="").count() == 1
    assert Registration.objects.exists() and AttendanceRecord.objects.filter(count=1200).exists()
    assert load_demo_events(home=HomePage.objects.get()) == 0  # idempotent
    index = events.first().get_parent()
    june = client.get(index.url + "calendar/", {"month": "2026-06"})
    assert june.status_code == 200 and "安全咨询日" in june.content.decode()
    assert client.get(index.url + "past/").status_code == 200
    for event in events:
        assert client.get(event.url).status_code == 200


def test_site_search_finds_events_by_type(client, make_event):
    make_event(title="燃气安全咨询活动", summary="讲解燃气泄漏的处置方法。")
    body = client.get("/search/", {"q": "燃气泄漏", "type": "event"}).content.decode()
    assert "燃气安全咨询活动" in body
