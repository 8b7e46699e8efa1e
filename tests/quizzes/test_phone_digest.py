"""Contest phones are kept as a keyed digest and a masked form, never as typed (issue 9, PIPL):
lookups by phone and identifying again still work."""

import pytest

from organizations.people import phone_digest
from quizzes import privacy
from quizzes.choices import AgeBand
from quizzes.models import Participant
from quizzes.services.participants import identify_participant

pytestmark = pytest.mark.django_db

PHONE = "13812341234"


@pytest.fixture
def phone_contest(contest):
    contest.ask_phone = True
    contest.save_revision().publish()
    return contest


def identify(contest, school, phone=PHONE, name="赵建工"):
    return identify_participant(contest=contest, name=name, unit=school, age_band=AgeBand.ADULT, phone=phone)


def test_the_database_keeps_no_plain_phone(phone_contest, school):
    participant = identify(phone_contest, school)
    stored = Participant.objects.filter(pk=participant.pk).values(
        *[field.attname for field in Participant._meta.concrete_fields]
    )
    [row] = list(stored)
    assert not [column for column, value in row.items() if PHONE in str(value)]
    assert (row["phone_digest"], row["phone_masked"]) == (phone_digest(PHONE), "138****1234")
    assert len(row["phone_digest"]) == 64 and row["person_key"]


def test_a_lookup_by_phone_still_finds_the_participant(phone_contest, school):
    participant = identify(phone_contest, school)
    identify(phone_contest, school, phone="13900000000", name="钱多多")
    assert privacy.find_participants(phone=PHONE) == [participant]
    assert privacy.find_participants(phone="13700000000") == []


def test_the_same_person_with_the_same_phone_is_the_same_participant(phone_contest, school):
    first = identify(phone_contest, school)
    assert identify(phone_contest, school).pk == first.pk
    assert identify(phone_contest, school, phone="13900000000").pk != first.pk
    assert Participant.objects.filter(phone_digest=phone_digest(PHONE)).count() == 1


def test_anonymising_clears_the_digest_and_the_masked_phone(phone_contest, school):
    participant = identify(phone_contest, school)
    privacy.anonymise_participants(participants=[participant])
    participant.refresh_from_db()
    assert (participant.phone_digest, participant.phone_masked) == ("", "")
    assert privacy.find_participants(phone=PHONE) == []


def test_the_digest_is_keyed_and_normalised(settings):
    assert phone_digest("") == ""
    assert phone_digest(" 138 1234 1234") == phone_digest("１３８１２３４１２３４") == phone_digest(PHONE)
    before = phone_digest(PHONE)
    settings.PERSON_KEY_SECRET = "another-secret"
    assert phone_digest(PHONE) != before
