"""Minors register for events with a phone too: the public form asks everyone to confirm
我已满18周岁，或已获得监护人同意, stores when (and which text version), and the database refuses a
registration made on the form without it. A unit's signed-in liaison need not; rows made before the
question was asked are marked as such and keep no invented confirmation."""

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import services
from events.choices import EnteredBy, RegistrationStatus
from events.errors import MissingConsent
from events.factories import RegistrationFactory
from events.models import Registration
from events.recurrence import LOCAL_TIME_ZONE
from organizations.scopes import assign_scope, setup_liaison_group

CONSENT = "adult_or_guardian_consent"


@pytest.fixture
def event(make_event):
    return make_event(title="年龄确认活动", registration_enabled=True, capacity=20, allow_groups=True)


def day(event):
    return event.starts_at.astimezone(LOCAL_TIME_ZONE).date()


def form(event, school, **fields):
    return {
        "occurrence": day(event).isoformat(),
        "name": "钱小雨",
        "phone": "13900001234",
        "unit": str(school.pk),
        "party_size": "2",
        **fields,
    }


def test_the_form_asks_for_the_confirmation(client, event):
    body = client.get(event.url).content.decode()
    assert 'type="checkbox" id="reg-consent" name="adult_or_guardian_consent" required' in body
    assert "我已满18周岁，或已获得监护人同意" in body
    assert services.ADULT_OR_GUARDIAN_CONSENT_VERSION in body


def test_without_the_tick_the_form_comes_back_with_the_message_beside_it_and_everything_kept(client, event, school):
    response = client.post(event.url + "register/", form(event, school))
    assert response.status_code == 422
    body = response.content.decode()
    consent = body[body.index('<div class="consent">') : body.index("</div>", body.index('<div class="consent">'))]
    assert 'id="reg-consent-error">请确认您已满18周岁，或已获得监护人同意。</p>' in consent
    assert 'aria-invalid="true"' in consent and "reg-consent-error" in consent
    assert "checked" not in consent
    # Only beside the field, not again above the form.
    assert body.count("请确认您已满18周岁") == 1
    assert f'<option value="{day(event).isoformat()}" selected>' in body
    assert 'value="钱小雨"' in body and 'value="13900001234"' in body
    assert f'<option value="{school.pk}" selected>' in body and 'value="2"' in body
    assert response["Cache-Control"].startswith("max-age=0")
    assert not Registration.objects.filter(event=event).exists()


@pytest.mark.parametrize("value", ["", "off", "0", "true ", "ON"])
def test_anything_but_the_ticked_box_is_no_confirmation(client, event, school, value):
    response = client.post(event.url + "register/", form(event, school, **{CONSENT: value}))
    assert response.status_code == 422
    assert not Registration.objects.filter(event=event).exists()


def test_json_callers_get_the_message_too(client, event, school):
    response = client.post(event.url + "register/", form(event, school), HTTP_ACCEPT="application/json")
    assert response.status_code == 422
    assert response.json() == {"ok": False, "error": "请确认您已满18周岁，或已获得监护人同意。"}


def test_a_refusal_for_another_reason_keeps_the_tick(client, event, school):
    response = client.post(event.url + "register/", form(event, school, phone="139", **{CONSENT: "on"}))
    assert response.status_code == 422
    body = response.content.decode()
    assert '<p class="field-error" role="alert" id="reg-phone-error">请填写正确的11位手机号。</p>' in body
    assert 'name="adult_or_guardian_consent" required aria-describedby="reg-consent-version" checked>' in body


def test_the_tick_is_stored_with_its_time_and_version(client, event, school):
    before = timezone.now()
    response = client.post(event.url + "register/", form(event, school, **{CONSENT: "on"}))
    assert response.status_code == 302
    registration = Registration.objects.get(phone="13900001234")
    assert registration.entered_by == EnteredBy.PUBLIC
    assert before <= registration.adult_or_guardian_consent_at <= timezone.now()
    assert registration.adult_or_guardian_consent_version == services.ADULT_OR_GUARDIAN_CONSENT_VERSION


def test_the_service_refuses_a_public_registration_without_it(event):
    with pytest.raises(MissingConsent) as refused:
        services.register(event=event, occurrence_date=day(event), name="甲", phone="13900001235")
    assert (refused.value.status, refused.value.field) == (422, CONSENT)
    assert not Registration.objects.filter(event=event).exists()


@pytest.fixture
def liaison(school):
    user = get_user_model().objects.create_user("consent-liaison", password="x")
    user.groups.add(setup_liaison_group())
    assign_scope(user=user, unit=school)
    return user


def test_the_units_signed_in_liaison_may_register_its_group_without_the_tick(client, event, school, liaison):
    client.force_login(liaison)
    response = client.post(event.url + "register/", form(event, school, party_size="8"))
    assert response.status_code == 302
    group = Registration.objects.get(phone="13900001234")
    assert (group.entered_by, group.status, group.adult_or_guardian_consent_at) == (
        EnteredBy.LIAISON,
        RegistrationStatus.CONFIRMED,
        None,
    )


def test_a_signed_in_liaison_registering_for_another_unit_must_tick(client, event, town, liaison):
    client.force_login(liaison)
    response = client.post(event.url + "register/", form(event, town, party_size="8"))
    assert response.status_code == 422
    assert not Registration.objects.filter(event=event).exists()


def _row(event, **fields):
    return RegistrationFactory.build(event=event, occurrence_date=day(event), **fields)


def test_the_database_refuses_a_public_registration_without_the_confirmation(event):
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(event, adult_or_guardian_consent_at=None, adult_or_guardian_consent_version="").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(event, adult_or_guardian_consent_version="").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(event, entered_by="someone").save()
    assert not Registration.objects.filter(event=event).exists()


def test_liaison_rows_and_rows_made_before_the_question_need_none(event):
    for entered_by in (EnteredBy.LIAISON, EnteredBy.EARLIER):
        _row(
            event, entered_by=entered_by, adult_or_guardian_consent_at=None, adult_or_guardian_consent_version=""
        ).save()
    assert Registration.objects.filter(event=event, adult_or_guardian_consent_at=None).count() == 2


def test_the_demo_registrations_satisfy_it(db):
    # The demo is loaded once per test database (tests/conftest.py), with events/demo.py's registrations.
    registrations = Registration.objects.exclude(event__title="年龄确认活动")
    assert registrations.filter(entered_by=EnteredBy.PUBLIC).count() >= 4
    assert registrations.filter(entered_by=EnteredBy.LIAISON, party_size__gt=1).exists()
    assert not registrations.filter(adult_or_guardian_consent_at=None).exists()
    assert set(registrations.values_list("adult_or_guardian_consent_version", flat=True)) == {
        services.ADULT_OR_GUARDIAN_CONSENT_VERSION
    }
