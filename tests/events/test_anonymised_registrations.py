"""An anonymised registration keeps no phone at all (not a stand-in number): only such a row may
have an empty phone, any number of them may share an occurrence, and the public form still takes
nothing but a mobile number."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events import privacy, services
from events.factories import RegistrationFactory
from events.models import Registration
from events.recurrence import LOCAL_TIME_ZONE
from organizations.people import anonymous_alias, person_key

ALIAS = anonymous_alias("a person key")


@pytest.fixture
def event(make_event):
    return make_event(title="匿名化报名活动", registration_enabled=True, capacity=20)


def day(event):
    return event.starts_at.astimezone(LOCAL_TIME_ZONE).date()


def _row(event, **fields):
    return RegistrationFactory.build(event=event, occurrence_date=day(event), **fields)


def test_anonymised_registrations_have_no_phone_and_may_share_an_occurrence(event):
    for n in range(2):
        row = _row(event, name=anonymous_alias(f"key {n}"), phone="")
        row.full_clean(exclude=["event"])
        row.save()
    assert Registration.objects.filter(event=event, phone="").count() == 2


def test_only_an_anonymised_registration_may_have_no_phone(event):
    with pytest.raises(ValidationError) as refused:
        _row(event, name="张三", phone="").full_clean(exclude=["event"])
    assert "phone" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(event, name="张三", phone="").save()


@pytest.mark.parametrize("phone", ["01234567890", "12345678901", "1380000000"])
def test_a_phone_is_a_mobile_number_or_nothing(event, phone):
    # The old stand-in (0 and ten digits) can no longer be stored either.
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(event, name=ALIAS, phone=phone).save()


def test_one_phone_per_occurrence_still_holds(event):
    _row(event, phone="13800000001").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(event, phone="13800000001").save()


@pytest.mark.parametrize(("name", "phone"), [("李四", ""), (ALIAS, ""), (ALIAS, " ")])
def test_the_public_form_still_requires_a_mobile_phone(client, event, name, phone):
    data = {"occurrence": day(event).isoformat(), "name": name, "phone": phone, "adult_or_guardian_consent": "on"}
    response = client.post(event.url + "register/", data)
    assert response.status_code == 422 and "请填写正确的11位手机号。" in response.content.decode()
    assert not Registration.objects.filter(event=event).exists()


def test_anonymising_empties_the_phone_and_gives_the_alias_of_the_ledgers_key(event, school):
    registrations = [
        services.register(
            event=event,
            occurrence_date=day(event),
            name=name,
            phone=phone,
            unit=school,
            adult_or_guardian_consent=True,
        )[0]
        for name, phone in (("王芳", "13800000001"), ("陈刚", "13800000002"))
    ]
    changed = privacy.anonymise_registrations(registrations=registrations)
    assert len(changed) == 2
    for registration, (name, phone) in zip(changed, (("王芳", "13800000001"), ("陈刚", "13800000002")), strict=True):
        registration.refresh_from_db()
        assert registration.phone == ""
        assert registration.name == anonymous_alias(person_key(unit_id=school.pk, name=name, phone=phone))
        # The confirmation names nobody: it stays, as the record that the phone was asked lawfully.
        assert registration.adult_or_guardian_consent_at is not None
    # Anonymised rows are not anonymised again, and no longer found by their phone.
    assert privacy.anonymise_registrations(registrations=registrations) == []
    assert privacy.find_registrations(phone="13800000001") == []
