import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from events import services
from events.choices import EventStatus, ExceptionAction, RegistrationStatus
from events.errors import (
    DuplicateRegistration,
    InvalidRegistration,
    RegistrationClosed,
    RegistrationNotFound,
)
from events.models import EventException, Registration
from events.recurrence import LOCAL_TIME_ZONE
from events.selectors import check_in_list


@pytest.fixture
def event(make_event):
    return make_event(title="报名测试活动", registration_enabled=True, capacity=3, allow_groups=True)


def day(event):
    return event.starts_at.astimezone(LOCAL_TIME_ZONE).date()


def register(event, phone, **kwargs):
    kwargs.setdefault("name", "张三")
    return services.register(
        event=event, occurrence_date=day(event), phone=phone, **kwargs, adult_or_guardian_consent=True
    )


def test_places_then_waitlist_then_promotion_on_cancel(event):
    first, first_token = register(event, "13800000001")
    register(event, "13800000002")
    register(event, "13800000003")
    waiting, _token = register(event, "13800000004")
    assert waiting.status == RegistrationStatus.WAITLISTED
    promoted = services.cancel_registration(event=event, public_id=first.public_id, token=first_token)
    assert promoted == [waiting]
    waiting.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, waiting.status) == (RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED)
    # Cancelling twice changes nothing more.
    assert services.cancel_registration(event=event, public_id=first.public_id, token=first_token) == []


def test_group_registration_counts_its_people_and_waits_whole(event, school):
    group, _token = register(event, "13800000010", unit=school, party_size=2)
    assert group.status == RegistrationStatus.CONFIRMED
    big, _token = register(event, "13800000011", unit=school, party_size=2)
    assert big.status == RegistrationStatus.WAITLISTED  # 2 + 2 > 3: the group is not split
    assert services.confirmed_places(event=event, occurrence_date=day(event)) == 2


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"phone": "12345"}, InvalidRegistration, "手机号"),
        ({"phone": "13800000020", "name": " "}, InvalidRegistration, "姓名"),
        ({"phone": "13800000021", "party_size": 5}, InvalidRegistration, "集体报名须选择报名单位"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(event, kwargs, error, message):
    with pytest.raises(error) as raised:
        register(event, **kwargs)
    assert message in str(raised.value.message)
    assert not Registration.objects.filter(event=event).exists()


def test_individual_only_event_refuses_groups(make_event, school):
    event = make_event(registration_enabled=True)
    with pytest.raises(InvalidRegistration, match="只接受个人报名"):
        register(event, "13800000030", unit=school, party_size=10)


def test_duplicate_phone_for_the_same_occurrence_is_refused(event):
    register(event, "13800000040")
    with pytest.raises(DuplicateRegistration):
        register(event, "138-0000-0040", name="另一个人")
    assert Registration.objects.filter(event=event).count() == 1


def test_closed_windows_and_cancelled_events_refuse(make_event):
    now = timezone.now()
    not_yet = make_event(registration_enabled=True, registration_opens_at=now + timedelta(days=1))
    with pytest.raises(RegistrationClosed, match="报名尚未开始"):
        register(not_yet, "13800000050")
    over = make_event(registration_enabled=True, registration_closes_at=now - timedelta(hours=1))
    with pytest.raises(RegistrationClosed, match="报名已截止"):
        register(over, "13800000051")
    cancelled = make_event(registration_enabled=True, status=EventStatus.CANCELLED)
    with pytest.raises(RegistrationClosed, match="已取消"):
        register(cancelled, "13800000052")
    no_registration = make_event()
    with pytest.raises(RegistrationClosed, match="无需报名"):
        register(no_registration, "13800000053")
    assert (
        not Registration.objects.exists()
        or not Registration.objects.filter(event__in=[not_yet, over, cancelled, no_registration]).exists()
    )


def test_each_occurrence_of_a_recurring_event_has_its_own_places(make_event):
    start = (
        (timezone.now() + timedelta(days=3))
        .astimezone(LOCAL_TIME_ZONE)
        .replace(hour=9, minute=0, second=0, microsecond=0)
    )
    event = make_event(starts_at=start, registration_enabled=True, capacity=1, rrule="FREQ=DAILY;COUNT=3")
    EventException.objects.create(
        page=event, original_date=(start + timedelta(days=2)).date(), action=ExceptionAction.CANCEL
    )
    first, _t = services.register(
        event=event, occurrence_date=start.date(), name="甲", phone="13800000060", adult_or_guardian_consent=True
    )
    second, _t = services.register(
        event=event,
        occurrence_date=(start + timedelta(days=1)).date(),
        name="乙",
        phone="13800000061",
        adult_or_guardian_consent=True,
    )
    assert first.status == second.status == RegistrationStatus.CONFIRMED
    with pytest.raises(RegistrationClosed, match="已取消"):
        services.register(
            event=event,
            occurrence_date=(start + timedelta(days=2)).date(),
            name="丙",
            phone="13800000062",
            adult_or_guardian_consent=True,
        )
    with pytest.raises(RegistrationClosed, match="没有找到这一场"):
        services.register(
            event=event,
            occurrence_date=date(2020, 1, 1),
            name="丁",
            phone="13800000063",
            adult_or_guardian_consent=True,
        )


def test_bad_token_is_refused(event):
    registration, _token = register(event, "13800000070")
    with pytest.raises(RegistrationNotFound):
        services.cancel_registration(event=event, public_id=registration.public_id, token="wrong")
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_phone_is_masked(event):
    registration, _token = register(event, "13812341234")
    assert registration.masked_phone == "138****1234"


def test_register_through_the_page_shows_qr_and_cancels(client, event):
    body = client.get(event.url).content.decode()
    assert 'name="occurrence"' in body and "提交报名" in body
    response = client.post(
        event.url + "register/",
        {
            "occurrence": day(event).isoformat(),
            "name": "李四",
            "phone": "13900001111",
            "adult_or_guardian_consent": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "报名成功" in text and "139****1111" in text and "<svg" in text
    # The token stays out of other sites' logs, yet the browser still sends its own origin with
    # the cancel form (no-referrer made Chromium post "Origin: null", which the CSRF check refuses).
    assert page["Referrer-Policy"] == "same-origin"
    client.post(response["Location"])
    assert Registration.objects.get(phone="13900001111").status == RegistrationStatus.CANCELLED


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"occurrence": "bad", "name": "王五", "phone": "13900002222"}, 422, "请选择要报名的场次"),
        ({"name": "王五", "phone": "139"}, 422, "手机号"),
        ({"name": "王五", "phone": "13900002222", "party_size": "abc"}, 422, "人数须为数字"),
        ({"name": "王五", "phone": "13900002222", "unit": "999999", "party_size": "3"}, 422, "没有找到所选的单位"),
        ({"name": "王五", "phone": "13900002222", "unit": "²", "party_size": "3"}, 422, "没有找到所选的单位"),
        ({"name": "王五", "phone": "13900002222", "party_size": "²"}, 422, "人数须为数字"),
        ({"name": "王五", "phone": "13９００００２２２２"}, 422, "手机号"),
    ],
)
def test_bad_form_input_gets_a_chinese_message(client, event, data, status, message):
    data.setdefault("occurrence", day(event).isoformat())
    data.setdefault("adult_or_guardian_consent", "on")
    response = client.post(event.url + "register/", data)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()


def test_a_refusal_asked_for_as_json_is_json(client, event):
    response = client.post(
        event.url + "register/",
        {"occurrence": day(event).isoformat(), "name": "王五", "phone": "139", "adult_or_guardian_consent": "on"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 422
    assert response.json() == {"ok": False, "error": "请填写正确的11位手机号。"}


def test_full_event_and_duplicate_in_the_form(client, make_event):
    event = make_event(registration_enabled=True, capacity=1)
    data = {
        "occurrence": day(event).isoformat(),
        "name": "赵六",
        "phone": "13900003333",
        "adult_or_guardian_consent": "on",
    }
    assert client.post(event.url + "register/", data).status_code == 302
    duplicate = client.post(event.url + "register/", data)
    assert duplicate.status_code == 409 and "请勿重复报名" in duplicate.content.decode()
    waiting = client.post(event.url + "register/", {**data, "phone": "13900004444"})
    assert "候补" in client.get(waiting["Location"]).content.decode()


def test_bad_token_page_is_404(client, event):
    registration, _token = register(event, "13800000080")
    response = client.get(event.url + f"registration/{registration.public_id}/nope/")
    assert response.status_code == 404 and "没有找到这条报名记录" in response.content.decode()
    assert f'<a href="{event.url}">返回活动页面</a>' in response.content.decode()
    assert client.post(event.url + f"registration/{registration.public_id}/nope/").status_code == 404


def test_check_in_needs_staff_and_counts_by_unit(client, event, school):
    group, _token = register(event, "13800000090", unit=school, party_size=2, name="王小明")
    person, _token = register(event, "13800000091")
    url = event.url + "check-in/"
    assert client.get(url)["Location"].startswith("/admin/login/?next=")
    nobody = get_user_model().objects.create_user("nobody", password="x")
    client.force_login(nobody)
    refused = client.get(url)
    assert refused.status_code == 403 and "没有为活动签到的权限" in refused.content.decode()
    assert client.post(url + f"{group.public_id}/").status_code == 403
    staff = get_user_model().objects.create_superuser("checker", password="x")
    client.force_login(staff)
    assert "签到管理（工作人员）" in client.get(event.url).content.decode()
    listing = client.get(url).content.decode()
    # A masked name and the phone's last four digits: enough for a volunteer to find the person.
    assert "王*明 138****0090" in listing and "为王*明签到" in listing
    assert "王小明" not in listing and "13800000090" not in listing
    confirm = client.get(url + f"{group.public_id}/").content.decode()
    assert "确认签到" in confirm and "王*明 138****0090" in confirm and "王小明" not in confirm
    assert client.post(url + f"{group.public_id}/").status_code == 302
    group.refresh_from_db()
    assert group.checked_in_at is not None
    summary = check_in_list(event=event)
    assert summary["checked_in_total"] == 2
    row = next(row for row in summary["attendance_by_unit"] if row["unit__name"] == school.name)
    assert (row["registered"], row["arrived"]) == (2, 2)
    assert re.search(r"已签到 2 人", client.get(url).content.decode())


def test_waitlisted_registration_cannot_check_in(event):
    for n in range(3):
        register(event, f"1380000010{n}")
    waiting, _token = register(event, "13800000109")
    with pytest.raises(InvalidRegistration):
        services.check_in(event=event, public_id=waiting.public_id)


def test_database_refuses_a_second_active_registration_with_the_same_phone(event):
    from django.db import IntegrityError, transaction

    register(event, "13800000200")
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            event=event, occurrence_date=day(event), name="x", phone="13800000200", status="confirmed", token_hash="x"
        )


def test_attendance_record_is_shown_after_the_event(client, make_event, school):
    from events.models import AttendanceRecord
    from events.selectors import attendance_by_unit

    event = make_event(days=-3)
    AttendanceRecord.objects.create(page=event, unit=school, count=1200)
    body = client.get(event.url).content.decode()
    assert "参加情况" in body and "1200" in body
    assert {"unit__pk": school.pk, "unit__name": school.name, "people": 1200} in attendance_by_unit(units=[school])


def test_finished_event_says_registration_is_closed(client, make_event):
    event = make_event(days=-2, registration_enabled=True)
    body = client.get(event.url).content.decode()
    assert "活动已结束，报名已关闭。" in body and 'name="phone"' not in body
    response = client.post(
        event.url + "register/",
        {"occurrence": day(event).isoformat(), "name": "甲", "phone": "13900005555", "adult_or_guardian_consent": "on"},
    )
    assert response.status_code == 409 and "报名已截止" in response.content.decode()
