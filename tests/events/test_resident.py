"""Issue 10's resident pages, as a person sees them: places left before submitting, Chinese
messages beside the fields, the confirmation with time, venue, 加入日历 and the 查询码, 我的报名
by phone and code, and cancelling from there."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from events import services
from events.choices import RegistrationStatus
from events.lookup import code_for_token, display_code
from events.models import Registration
from events.privacy import anonymise_registrations
from events.recurrence import LOCAL_TIME_ZONE
from events.templatetags.events_tags import day_label
from organizations.factories import UnitFactory
from organizations.models import UnitKind

LIMITS = {"lookup": {"ip": "5/m", "phone": "3/h"}}


@pytest.fixture
def event(make_event):
    return make_event(
        title="居民报名活动", registration_enabled=True, capacity=2, allow_groups=True, venue_name="水集街道文化站"
    )


def day(event):
    return event.starts_at.astimezone(LOCAL_TIME_ZONE).date()


def form(event, **fields):
    return {
        "occurrence": day(event).isoformat(),
        "name": "周大妈",
        "phone": "13900005001",
        "adult_or_guardian_consent": "on",
        **fields,
    }


def register(event, phone, **kwargs):
    return services.register(
        event=event, occurrence_date=day(event), name="居民", phone=phone, adult_or_guardian_consent=True, **kwargs
    )


def lookup_url(event):
    return event.get_parent().url + "mine/"


def test_the_event_page_says_how_many_places_are_left_then_that_it_is_full(client, event):
    assert "还剩 <strong>2</strong> 个名额" in client.get(event.url).content.decode()
    register(event, "13900005002")
    body = client.get(event.url).content.decode()
    assert "还剩 <strong>1</strong> 个名额" in body and "（剩余 1 个）" in body
    register(event, "13900005003")
    body = client.get(event.url).content.decode()
    assert "<strong>名额已满</strong>，现在报名将进入候补名单" in body and "（已满，可候补）" in body
    assert "还剩" not in body


def test_an_event_without_a_limit_says_so(client, make_event):
    event = make_event(registration_enabled=True)
    assert "不限名额" in client.get(event.url).content.decode()


def test_the_form_asks_the_browser_for_no_validation_of_its_own_and_groups_units_by_town(client, event, town, school):
    other_town = UnitFactory(kind=UnitKind.TOWN, name="另一个测试镇")
    other_school = UnitFactory(kind=UnitKind.SCHOOL, name="另一个测试小学", parent=other_town)
    body = client.get(event.url).content.decode()
    form_tag = re.search(r'<form method="post" action="[^"]*register/#register"[^>]*>', body)[0]
    assert "novalidate" in form_tag and 'class="event-form"' in form_tag
    group = re.search(rf'<optgroup label="{town.name}">(.*?)</optgroup>', body)[1]
    # The town first in its own group, then its units; other towns' units in their group.
    assert group.index(f">{town.name}<") < group.index(f">{school.name}<")
    assert other_school.name not in group
    assert (
        f'<option value="{other_school.pk}">{other_school.name}</option>'
        in re.search(rf'<optgroup label="{other_town.name}">(.*?)</optgroup>', body)[1]
    )
    assert "个人报名填 1" in body and "超过 5 人的集体报名须由本单位联络员登录后提交" in body
    assert "最多 500 人" in body


@pytest.mark.parametrize(
    ("fields", "input_id", "message"),
    [
        ({"phone": "1390000"}, "reg-phone", "请填写正确的11位手机号。"),
        ({"phone": "１３９００００５００１"}, "reg-phone", "请填写正确的11位手机号。"),
        ({"name": ""}, "reg-name", "请填写姓名（不超过30个字）。"),
        ({"occurrence": ""}, "reg-occurrence", "请选择要报名的场次。"),
        ({"party_size": "三"}, "reg-size", "人数须为数字。"),
        ({"party_size": "3"}, "reg-unit", "集体报名须选择报名单位。"),
        ({"unit": "٣"}, "reg-unit", "没有找到所选的单位。"),
    ],
)
def test_a_bad_field_gets_its_chinese_message_beside_it_and_the_form_is_kept(client, event, fields, input_id, message):
    response = client.post(event.url + "register/", form(event, **fields))
    assert response.status_code == 422
    body = response.content.decode()
    assert f'<p class="field-error" role="alert" id="{input_id}-error">{message}</p>' in body
    field = re.search(rf'<(?:input|select) id="{input_id}"[^>]*>', body)[0]
    assert 'aria-invalid="true"' in field and f"{input_id}-error" in field
    assert body.count(message) == 1
    assert 'value="周大妈"' in body or fields.get("name") == ""
    assert not Registration.objects.filter(event=event).exists()


def test_a_duplicate_phone_is_told_beside_the_phone(client, event):
    assert client.post(event.url + "register/", form(event)).status_code == 302
    response = client.post(event.url + "register/", form(event, name="周大爷"))
    assert response.status_code == 409
    assert 'id="reg-phone-error">该手机号已报名本场活动，请勿重复报名。</p>' in response.content.decode()


def test_the_confirmation_shows_time_venue_calendar_code_and_cancel(client, event):
    response = client.post(event.url + "register/", form(event))
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "<h1>报名成功</h1>" in body
    assert event.starts_at.astimezone(LOCAL_TIME_ZONE).strftime("%H:%M") in body and "水集街道文化站" in body
    assert f'href="/events/{event.pk}/event.ics?date={day(event).isoformat()}">加入日历</a>' in body
    code = display_code(code_for_token(token))
    assert re.fullmatch(r"\d{4} \d{4}", code) and f'<p class="code" id="lookup-code">{code}</p>' in body
    assert "本网站不发短信" in body and f'href="{lookup_url(event)}">我的报名</a>' in body
    assert "<summary>取消报名</summary>" in body and "确认取消报名" in body
    assert page["Referrer-Policy"] == "same-origin" and "no-store" in page["Cache-Control"]
    # Only a keyed digest of phone and code is stored, never the code.
    stored = Registration.objects.get(event=event)
    assert code_for_token(token) not in str(Registration.objects.filter(pk=stored.pk).values().get())
    assert len(stored.lookup_code_hash) == 64
    assert client.post(response["Location"]).status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "<h1>报名已取消</h1>" in body and "确认取消报名" not in body and "加入日历" not in body


def test_a_full_event_puts_the_newcomer_on_the_waitlist(client, event):
    register(event, "13900005010")
    register(event, "13900005011")
    response = client.post(event.url + "register/", form(event))
    body = client.get(response["Location"]).content.decode()
    assert "<h1>已进入候补名单</h1>" in body and "你在候补名单中" in body


def test_the_calendar_link_is_that_occurrence_alone(client, make_event):
    start = (timezone.now() + timedelta(days=3)).astimezone(LOCAL_TIME_ZONE).replace(hour=9, minute=0, second=0)
    event = make_event(starts_at=start.replace(microsecond=0), registration_enabled=True, rrule="FREQ=DAILY;COUNT=3")
    second = (start + timedelta(days=1)).date()
    response = client.get(f"/events/{event.pk}/event.ics", {"date": second.isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    (vevent,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert vevent["DTSTART"].dt == start.replace(microsecond=0) + timedelta(days=1)
    assert "RRULE" not in vevent and second.strftime("%Y%m%d") in str(vevent["UID"])
    for bad in ("2020-01-01", "x", "２０２６-０６-１６", "9" * 400):
        missing = client.get(f"/events/{event.pk}/event.ics", {"date": bad})
        assert missing.status_code == 404 and "没有场次" in missing.content.decode()


def test_my_registrations_finds_them_by_phone_and_code_and_cancels_from_there(client, event):
    registration, token = register(event, "13900005020")
    code = code_for_token(token)
    response = client.post(lookup_url(event), {"phone": "139 0000 5020", "code": display_code(code)})
    assert response.status_code == 200 and response["Referrer-Policy"] == "same-origin"
    body = response.content.decode()
    assert "找到的报名" in body and "居民报名活动" in body and "报名状态：报名成功" in body
    link = re.search(rf'href="({re.escape(event.url)}registration/{registration.public_id}/[^"]+)"', body)[1]
    assert token not in link
    page = client.get(link)
    assert page.status_code == 200 and "<h1>报名成功</h1>" in page.content.decode()
    # Opened by the lookup, the page does not show the code again: the person has it.
    assert 'id="lookup-code"' not in page.content.decode()
    assert client.post(link).status_code == 302
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    again = client.post(lookup_url(event), {"phone": "13900005020", "code": code}).content.decode()
    assert "报名状态：已取消" in again


def test_wrong_code_and_unknown_phone_get_the_same_message(client, event):
    _registration, token = register(event, "13900005030")
    code = code_for_token(token)
    wrong_code = f"{(int(code) + 1) % 10**8:08d}"
    answers = [
        client.post(lookup_url(event), {"phone": "13900005030", "code": wrong_code}),
        client.post(lookup_url(event), {"phone": "13900005031", "code": code}),
    ]
    for response in answers:
        assert response.status_code == 404
        body = response.content.decode()
        assert "手机号或查询码不正确，没有找到对应的报名。" in body and "找到的报名" not in body
        assert 'value="1390000503' in body  # the form is kept
    assert answers[0].content.decode().count("手机号或查询码不正确") == 1


def test_another_registration_of_the_same_phone_needs_its_own_code(client, event, make_event):
    _first, first_token = register(event, "13900005040")
    other = make_event(title="另一场活动", registration_enabled=True)
    services.register(
        event=other, occurrence_date=day(other), name="居民", phone="13900005040", adult_or_guardian_consent=True
    )
    body = client.post(lookup_url(event), {"phone": "13900005040", "code": code_for_token(first_token)})
    assert "居民报名活动" in body.content.decode() and "另一场活动" not in body.content.decode()


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"phone": "", "code": "12345678"}, 422, "请填写正确的11位手机号。"),
        ({"phone": "１３９００００５０５０", "code": "12345678"}, 422, "请填写正确的11位手机号。"),
        ({"phone": "13900005050", "code": ""}, 422, "查询码是8位数字"),
        ({"phone": "13900005050", "code": "１２３４５６７８"}, 422, "查询码是8位数字"),
        ({"phone": "13900005050", "code": "1234567"}, 422, "查询码是8位数字"),
        ({"phone": "13900005050", "code": "9" * 400}, 422, "查询码是8位数字"),
        ({"phone": "13900005050", "code": "' OR 1=1 --"}, 422, "查询码是8位数字"),
        ({"phone": "<script>", "code": "12345678"}, 422, "请填写正确的11位手机号。"),
        ({"phone": "13900005050", "code": "1234\x005678"}, 400, "控制字符"),
        ({"phone": "139\x0000005050", "code": "12345678"}, 400, "控制字符"),
    ],
)
def test_hostile_lookups_get_a_chinese_message(client, event, fields, status, message):
    response = client.post(lookup_url(event), fields)
    assert response.status_code == status
    assert message in response.content.decode()


def test_a_bad_lookup_field_is_told_beside_it(client, event):
    body = client.post(lookup_url(event), {"phone": "13900005060", "code": "12"}).content.decode()
    assert '<p class="field-error" role="alert" id="lookup-code-error">' in body
    field = re.search(r'<input id="lookup-code"[^>]*>', body)[0]
    assert 'aria-invalid="true"' in field and "lookup-code-hint lookup-code-error" in field
    assert 'value="13900005060"' in body


def test_lookups_are_rate_limited_per_phone_and_per_ip(client, settings, event):
    settings.EVENTS_RATE_LIMITS = LIMITS
    _registration, token = register(event, "13900005070")
    code = code_for_token(token)
    statuses = [
        client.post(lookup_url(event), {"phone": "13900005070", "code": "00000000"}, REMOTE_ADDR=f"10.9.0.{n}")
        for n in range(4)
    ]
    assert [r.status_code for r in statuses] == [404, 404, 404, 429]
    assert "操作太频繁" in statuses[-1].content.decode()
    # Even the right code, once the phone is held up.
    held = client.post(lookup_url(event), {"phone": "13900005070", "code": code}, REMOTE_ADDR="10.9.1.1")
    assert held.status_code == 429
    for n in range(5):
        client.post(lookup_url(event), {"phone": f"1390000510{n}", "code": "00000000"}, REMOTE_ADDR="10.9.2.2")
    assert (
        client.post(lookup_url(event), {"phone": "13900005199", "code": "0"}, REMOTE_ADDR="10.9.2.2").status_code == 429
    )
    refused = client.post(
        lookup_url(event), {"phone": "13900005198", "code": "0"}, REMOTE_ADDR="10.9.2.2", HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 429 and refused.json() == {"ok": False, "error": "操作太频繁，请过几分钟再试。"}


def test_an_anonymised_registration_is_found_no_more_and_its_lookup_links_end(client, event):
    registration, token = register(event, "13900005080")
    body = client.post(lookup_url(event), {"phone": "13900005080", "code": code_for_token(token)}).content.decode()
    link = re.search(rf'href="({re.escape(event.url)}registration/[^"]+)"', body)[1]
    anonymise_registrations(registrations=[registration])
    registration.refresh_from_db()
    assert registration.lookup_code_hash == "" and registration.phone == ""
    assert client.get(link).status_code == 404
    again = client.post(lookup_url(event), {"phone": "13900005080", "code": code_for_token(token)})
    assert again.status_code == 404


def test_a_lookup_link_expires_and_opens_only_its_own_registration(client, event, monkeypatch):
    first, first_token = register(event, "13900005090")
    second, _token = register(event, "13900005091")
    body = client.post(lookup_url(event), {"phone": "13900005090", "code": code_for_token(first_token)})
    link = re.search(rf'href="({re.escape(event.url)}registration/[^"]+)"', body.content.decode())[1]
    grant = link.rstrip("/").rsplit("/", 1)[1]
    assert client.get(event.url + f"registration/{second.public_id}/{grant}/").status_code == 404
    assert client.get(event.url + f"registration/{first.public_id}/{grant[:-2]}xx/").status_code == 404
    assert client.get(link).status_code == 200
    monkeypatch.setattr("events.lookup.GRANT_MAX_AGE", -1)  # as if GRANT_MAX_AGE seconds had passed
    assert client.get(link).status_code == 404


def test_the_lookup_page_is_linked_from_the_event_pages(client, index, event):
    for url in (index.url, index.url + "calendar/", event.url):
        assert f'href="{lookup_url(event)}"' in client.get(url).content.decode(), url
    page = client.get(lookup_url(event))
    assert page.status_code == 200 and "<h1>我的报名</h1>" in page.content.decode()
    assert "novalidate" in page.content.decode() and "本网站不发短信" in page.content.decode()


def test_the_calendar_opens_on_this_month_with_an_agenda_for_phones(client, index, make_event):
    today = timezone.localdate()
    soon = datetime.combine(today, datetime.min.time(), LOCAL_TIME_ZONE).replace(hour=23, minute=0)
    make_event(title="本月晚间活动", starts_at=soon, hours=0.5)
    body = client.get(index.url + "calendar/").content.decode()
    assert f"<h1>{today.year}年{today.month}月活动日历</h1>" in body
    agenda = body[
        body.index('<section class="calendar-agenda"') : body.index("</section>", body.index("calendar-agenda"))
    ]
    assert "本月晚间活动" in agenda and today.isoformat() in agenda
    assert "回到本月" not in body
    elsewhere = client.get(index.url + "calendar/", {"month": "2030-01"}).content.decode()
    assert "回到本月" in elsewhere and "本月暂无活动。" in elsewhere


def test_agenda_days_are_in_order(client, index, make_event):
    make_event(title="六月二十日活动", starts_at=datetime(2030, 6, 20, 9, tzinfo=LOCAL_TIME_ZONE))
    make_event(title="六月三日活动", starts_at=datetime(2030, 6, 3, 9, tzinfo=LOCAL_TIME_ZONE))
    body = client.get(index.url + "calendar/", {"month": "2030-06"}).content.decode()
    agenda = body[body.index('<ol class="agenda-days">') :]
    assert agenda.index("六月三日活动") < agenda.index("六月二十日活动")
    assert "6月3日（星期一）" in agenda
    empty = client.get(index.url + "calendar/", {"month": "2030-01"}).content.decode()
    assert '本月暂无活动。<a href="?month=2030-06">查看2030年6月的活动</a>' in empty


def test_past_events_say_they_are_over(client, index, make_event):
    event = make_event(title="上月的演练", days=-30)
    assert "<strong>已结束</strong>" in client.get(event.url).content.decode()
    assert '<span class="badge event-ended">已结束</span>' in client.get(index.url + "past/").content.decode()
    coming = make_event(title="下周的咨询日", days=7)
    assert "已结束" not in client.get(coming.url).content.decode()


def test_dates_carry_the_year_only_when_it_is_not_this_year():
    this_year = timezone.localdate().year
    assert day_label(date(this_year, 6, 16)) == "6月16日"
    assert day_label(date(this_year - 1, 6, 16)) == f"{this_year - 1}年6月16日"
    assert day_label(datetime(this_year + 1, 6, 16, 9, tzinfo=LOCAL_TIME_ZONE), "weekday").startswith(
        f"{this_year + 1}年6月16日（星期"
    )
    assert day_label(None) == ""
