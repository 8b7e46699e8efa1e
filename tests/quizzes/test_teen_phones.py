"""Phones of 14–17-year-olds (issue 9, PIPL): a teenager who gives a phone number needs a guardian's
consent, as a child under 14 always does; without a phone, no consent is asked."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations.people import phone_digest
from quizzes.choices import AgeBand
from quizzes.errors import InvalidInput
from quizzes.models import Participant
from quizzes.services.participants import identify_participant

from .conftest import url

pytestmark = pytest.mark.django_db

MESSAGE = "14–17 岁的同学填写手机号，需要监护人阅读上面的同意书后勾选同意"


@pytest.fixture
def phone_contest(contest):
    contest.ask_phone = True
    contest.save_revision().publish()
    contest.refresh_from_db()
    return contest


def teen_form(school, **overrides):
    return {
        "unit": school.pk,
        "name": "赵小强",
        "class_name": "初二一班",
        "age_band": "14to17",
        "phone": "13900000009",
        **overrides,
    }


# The database ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "consent",
    [
        {"guardian_consent_at": None, "guardian_consent_version": ""},
        {"guardian_consent_at": None, "guardian_consent_version": "2026-1"},
        {"guardian_consent_at": timezone.now, "guardian_consent_version": ""},
    ],
)
def test_the_database_refuses_a_teenagers_phone_without_consent(school, consent):
    consent = {key: value() if callable(value) else value for key, value in consent.items()}
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            name="赵小强",
            unit=school,
            age_band=AgeBand.FROM_14_TO_17,
            phone_digest=phone_digest("13900000009"),
            phone_masked="139****0009",
            **consent,
        )


def test_the_database_takes_a_teenagers_phone_with_consent_and_no_phone_without(school):
    Participant.objects.create(
        name="赵小强",
        unit=school,
        age_band=AgeBand.FROM_14_TO_17,
        phone_digest=phone_digest("13900000009"),
        phone_masked="139****0009",
        guardian_consent_at=timezone.now(),
        guardian_consent_version="2026-1",
    )
    Participant.objects.create(name="钱小军", unit=school, age_band=AgeBand.FROM_14_TO_17)
    Participant.objects.create(
        name="孙大人",
        unit=school,
        age_band=AgeBand.ADULT,
        phone_digest=phone_digest("13900000008"),
        phone_masked="139****0008",
    )
    assert Participant.objects.filter(unit=school).count() == 3


# Identifying ----------------------------------------------------------------------------------


def test_a_teenagers_phone_without_consent_is_422_beside_the_phone_with_the_form_kept(client, phone_contest, school):
    response = client.post(url(phone_contest, "identify"), teen_form(school))
    assert response.status_code == 422
    html = response.content.decode()
    assert f'<p class="notice" role="alert" id="phone-error">{MESSAGE}' in html
    assert 'aria-describedby="phone-hint phone-error" aria-invalid="true" value="13900000009"' in html
    assert 'value="赵小强"' in html and 'value="初二一班"' in html
    assert 'value="14to17" checked' in html
    # Beside the field, not repeated above the form.
    assert 'id="identify-error"' not in html
    assert not Participant.objects.filter(name="赵小强").exists()


def test_a_teenagers_phone_with_consent_is_kept_with_the_consent(client, phone_contest, school):
    response = client.post(url(phone_contest, "identify"), teen_form(school, guardian_consent="on"))
    assert response.status_code == 302
    teen = Participant.objects.get(name="赵小强")
    assert (teen.age_band, teen.phone_masked) == (AgeBand.FROM_14_TO_17, "139****0009")
    assert teen.phone_digest == phone_digest("13900000009")
    assert teen.guardian_consent_at is not None
    assert teen.guardian_consent_version == phone_contest.consent_version


def test_a_teenager_without_a_phone_needs_no_consent(client, phone_contest, school):
    response = client.post(url(phone_contest, "identify"), teen_form(school, phone=""))
    assert response.status_code == 302
    teen = Participant.objects.get(name="赵小强")
    assert (teen.phone_digest, teen.phone_masked, teen.guardian_consent_at, teen.guardian_consent_version) == (
        "",
        "",
        None,
        "",
    )


def test_where_no_phone_is_asked_a_posted_one_is_dropped_and_needs_no_consent(client, contest, school):
    assert not contest.ask_phone
    assert client.post(url(contest, "identify"), teen_form(school)).status_code == 302
    assert Participant.objects.get(name="赵小强").phone_digest == ""


def test_the_service_names_the_phone_field(phone_contest, school):
    with pytest.raises(InvalidInput) as refused:
        identify_participant(
            contest=phone_contest, name="赵小强", unit=school, age_band=AgeBand.FROM_14_TO_17, phone="13900000009"
        )
    assert refused.value.field == "phone"
    assert str(refused.value.message).startswith(MESSAGE)


def test_a_childs_missing_consent_is_shown_beside_the_consent_tick(client, contest, school):
    response = client.post(url(contest, "identify"), teen_form(school, age_band="under14", phone=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="guardian-consent-error">14 岁以下的同学需要监护人勾选同意后才能参加。' in html
    assert 'aria-describedby="consent-text guardian-consent-error" aria-invalid="true"' in html


def test_the_form_says_that_a_teenagers_phone_needs_the_consent(client, phone_contest):
    html = client.get(url(phone_contest)).content.decode()
    assert "14 岁以下的同学，以及填写手机号的 14–17 岁同学：请监护人阅读上述内容后勾选同意" in html
    assert '<p class="hint" id="phone-hint">14–17 岁的同学填写手机号，需要监护人在上方勾选同意' in html
    assert 'aria-describedby="phone-hint"' in html


def test_without_a_phone_question_the_form_speaks_only_of_children(client, contest):
    html = client.get(url(contest)).content.decode()
    assert "14 岁以下的同学：请监护人阅读上述内容后勾选同意" in html
    assert "14–17" not in html.split('class="consent"')[1].split("</div>")[0]
    assert 'id="phone"' not in html
