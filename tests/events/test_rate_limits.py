"""Registering and the registrant's own page are rate-limited per IP and per phone number; a
refused registration shows the form again as it was filled in."""

import pytest

from events import services
from events.models import Registration
from events.recurrence import LOCAL_TIME_ZONE

LIMITS = {"register": {"ip": "3/m", "phone": "2/h"}, "registration": {"ip": "3/m"}}


@pytest.fixture
def limits(settings):
    settings.EVENTS_RATE_LIMITS = LIMITS


@pytest.fixture
def event(make_event):
    return make_event(title="限流测试活动", registration_enabled=True, capacity=50, allow_groups=True)


def form(event, phone, name="孙七"):
    return {
        "occurrence": event.starts_at.astimezone(LOCAL_TIME_ZONE).date().isoformat(),
        "name": name,
        "phone": phone,
        "adult_or_guardian_consent": "on",
    }


def test_one_phone_registering_too_often_is_429_with_the_form_kept(client, limits, make_event):
    events = [make_event(title=f"活动{n}", registration_enabled=True) for n in range(3)]
    for n, event in enumerate(events[:2]):
        response = client.post(event.url + "register/", form(event, "13900007777"), REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 302
    refused = client.post(events[2].url + "register/", form(events[2], "139-0000-7777"), REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429
    body = refused.content.decode()
    assert "操作太频繁" in body
    assert 'value="孙七"' in body and 'value="139-0000-7777"' in body
    assert not Registration.objects.filter(event=events[2]).exists()


def test_one_ip_registering_too_often_is_429(client, limits, event):
    for n in range(3):
        assert client.post(event.url + "register/", form(event, f"1390000800{n}")).status_code == 302
    refused = client.post(event.url + "register/", form(event, "13900008009"))
    assert refused.status_code == 429 and "操作太频繁" in refused.content.decode()
    assert Registration.objects.filter(event=event).count() == 3
    # Another address is not held up by the first.
    assert client.post(event.url + "register/", form(event, "13900008010"), REMOTE_ADDR="10.0.1.1").status_code == 302


def test_refused_attempts_count_too(client, limits, event):
    for phone in ("139", "1390", "13900"):
        assert client.post(event.url + "register/", form(event, phone)).status_code == 422
    assert client.post(event.url + "register/", form(event, "13900008011")).status_code == 429


def test_a_refusal_asked_for_as_json_is_json(client, limits, event):
    for n in range(3):
        client.post(event.url + "register/", form(event, f"1390000810{n}"))
    refused = client.post(event.url + "register/", form(event, "13900008109"), HTTP_ACCEPT="application/json")
    assert refused.status_code == 429 and refused.json() == {"ok": False, "error": "操作太频繁，请过几分钟再试。"}


def test_the_registration_page_and_cancel_are_limited_per_ip(client, limits, event):
    registration, token = services.register(
        event=event,
        occurrence_date=event.starts_at.astimezone(LOCAL_TIME_ZONE).date(),
        name="甲",
        phone="13900009001",
        adult_or_guardian_consent=True,
    )
    url = event.url + f"registration/{registration.public_id}/{token}/"
    for _attempt in range(3):
        assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429
    assert client.post(url).status_code == 429
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert client.get(url, REMOTE_ADDR="10.0.2.2").status_code == 200


def test_the_default_limits_stop_one_phone_after_ten_attempts_an_hour(client, make_event):
    event = make_event(registration_enabled=True)
    data = form(event, "13900009999")
    statuses = [client.post(event.url + "register/", data, REMOTE_ADDR=f"10.0.3.{n}").status_code for n in range(11)]
    assert statuses[0] == 302 and set(statuses[1:10]) == {409} and statuses[10] == 429


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"phone": "139"}, 422, "手机号"),
        ({"phone": "13900002222", "party_size": "²"}, 422, "人数须为数字"),
        ({"phone": "13900002222", "name": "王\n五"}, 422, "控制字符"),
    ],
)
def test_a_refused_registration_keeps_what_was_typed(client, event, school, data, status, message):
    data = {**form(event, data.pop("phone"), name=data.pop("name", "王五")), "unit": str(school.pk), **data}
    response = client.post(event.url + "register/", data)
    assert response.status_code == status
    body = response.content.decode()
    assert message in body
    assert f'value="{data["phone"]}"' in body
    assert f'<option value="{school.pk}" selected>' in body
    assert f'<option value="{data["occurrence"]}" selected>' in body
    assert 'name="name"' in body and "提交报名" in body
    assert response["Cache-Control"].startswith("max-age=0")
