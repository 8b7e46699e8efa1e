"""Never a 500: hostile values in every query parameter, path id and form field of the events
pages get a 4xx with a Chinese message (or, for a page number, simply a page) and change nothing.
Run on both databases: PostgreSQL refuses NUL in text, SQLite overflows on huge integers."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model

from events.models import Registration
from events.recurrence import LOCAL_TIME_ZONE

CORPUS = [
    "²",
    "٣",
    "１２",
    "99999999999999999999",
    "9" * 400,
    "-1",
    "0",
    "1e999",
    "Infinity",
    "1.5",
    " 1",
    "+1",
    "1_000",
    "a\x00b",
    "\x00",
    "\t",
    "'; --",
    "<script>",
    "%",
    "２０２６-０６",
]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def event(make_event):
    return make_event(title="输入测试活动", registration_enabled=True, capacity=5, allow_groups=True)


def assert_refused(response, *, page_ok=False):
    allowed = range(400, 500) if not page_ok else [200, *range(400, 500)]
    assert response.status_code in allowed, response.status_code
    if response.status_code != 200:
        assert CHINESE.search(response.content.decode()), response.content[:200]


@pytest.mark.parametrize("value", CORPUS)
def test_listing_calendar_and_feed_filters(client, index, event, value):
    for url in (index.url, index.url + "past/", index.url + "calendar/", "/events/feed.ics"):
        for name in ("town", "kind", "audience"):
            assert_refused(client.get(url, {name: value}))
    assert_refused(client.get(index.url + "calendar/", {"month": value}))
    assert_refused(client.get(index.url, {"page": value}), page_ok=True)


@pytest.mark.parametrize("value", CORPUS)
def test_path_ids(client, event, value):
    assert_refused(client.get(f"/events/{quote(value, safe='')}/event.ics"))
    assert_refused(
        client.get(event.url + f"registration/00000000-0000-0000-0000-000000000000/{quote(value, safe='')}/")
    )


@pytest.mark.parametrize("value", CORPUS)
@pytest.mark.parametrize("field", ["occurrence", "name", "phone", "unit", "party_size", "adult_or_guardian_consent"])
def test_registration_form_fields(client, event, school, field, value):
    data = {
        "occurrence": event.starts_at.astimezone(LOCAL_TIME_ZONE).date().isoformat(),
        "name": "周八",
        "phone": "13900006666",
        "unit": str(school.pk),
        "party_size": "2",
        "adult_or_guardian_consent": "on",
        field: value,
    }
    response = client.post(event.url + "register/", data)
    if field == "name" and response.status_code == 302:
        # Odd but printable text is a name like any other, stored as typed.
        assert Registration.objects.get(event=event).name == value.strip()
        return
    assert_refused(response)
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize("value", CORPUS)
def test_occurrence_calendar_date(client, event, value):
    assert_refused(client.get(f"/events/{event.pk}/event.ics", {"date": value}))


@pytest.mark.parametrize("value", CORPUS)
@pytest.mark.parametrize("field", ["phone", "code"])
def test_my_registrations_lookup_fields(client, index, event, field, value):
    data = {"phone": "13900006666", "code": "12345678", field: value}
    response = client.post(index.url + "mine/", data)
    assert_refused(response)
    assert "找到的报名" not in response.content.decode()


@pytest.mark.parametrize("value", CORPUS)
def test_check_in_list_date(client, event, value):
    client.force_login(get_user_model().objects.create_superuser("hostile-checker", password="x"))
    response = client.get(event.url + "check-in/", {"date": value})
    assert response.status_code in (200, 400)


@pytest.fixture
def no_control_character_middleware(settings):
    """The events pages hold without ``core.middleware.ControlCharacterMiddleware`` too."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("ControlCharacterMiddleware")]


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "x\x1fy", "line\nbreak"])
def test_control_characters_reach_no_query_even_without_the_middleware(
    client, index, event, school, no_control_character_middleware, value
):
    for name in ("town", "kind", "audience", "month", "page"):
        assert_refused(client.get(index.url + "calendar/", {name: value}), page_ok=name == "page")
    assert_refused(client.get("/events/feed.ics", {"town": value}))
    data = {
        "occurrence": event.starts_at.astimezone(LOCAL_TIME_ZONE).date().isoformat(),
        "name": value,
        "phone": "13900006666",
        "adult_or_guardian_consent": "on",
    }
    response = client.post(event.url + "register/", data)
    assert response.status_code == 422 and "控制字符" in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()
