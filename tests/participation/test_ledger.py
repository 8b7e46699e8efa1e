import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from organizations.factories import UnitFactory
from organizations.models import AudienceGroup, UnitKind
from participation import services
from participation.choices import Channel
from participation.factories import ActivityReportFactory, EntryFactory, fake_person_key
from participation.models import ActivityReport, ParticipationEntry

WHEN = timezone.make_aware(datetime.datetime(2026, 6, 10, 9, 30))


@pytest.fixture
def school(db):
    return UnitFactory(kind=UnitKind.SCHOOL, name="台账测试小学")


def contest_values(campaign, school, **changes):
    values = {
        "source": "quizzes.sheet:abc",
        "campaign": campaign,
        "unit": school,
        "channel": Channel.CONTEST,
        "audience": AudienceGroup.STUDENTS,
        "person_key": fake_person_key("张小明"),
        "occurred_at": WHEN,
        "score": 80,
        "max_score": 100,
        "passed": True,
        "full_marks": False,
        "topic_results": {3: [2, 3]},
    }
    values.update(changes)
    return values


def test_record_is_idempotent_on_source(campaign, school):
    first = services.record_participation(**contest_values(campaign, school))
    again = services.record_participation(**contest_values(campaign, school, score=100, full_marks=True))
    assert ParticipationEntry.objects.filter(source="quizzes.sheet:abc").count() == 1
    assert again.pk == first.pk
    again.refresh_from_db()
    assert (again.score, again.full_marks, again.topic_results) == (100, True, {"3": [2, 3]})
    assert again.occurred_on == datetime.date(2026, 6, 10)


def test_withdraw(campaign, school):
    services.record_participation(**contest_values(campaign, school))
    assert services.withdraw_participation(source="quizzes.sheet:abc") is True
    assert services.withdraw_participation(source="quizzes.sheet:abc") is False
    assert not ParticipationEntry.objects.filter(source="quizzes.sheet:abc").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"person_key": ""},  # a sheet is always somebody's
        {"score": 120},  # more than the maximum
        {"people": 0},
        {"people": 2},  # one key, one person
        {"unit": None},
        {"max_score": None},
    ],
)
def test_service_refuses_inconsistent_entries(campaign, school, changes):
    with pytest.raises(ValidationError):
        services.record_participation(**contest_values(campaign, school, **changes))
    assert not ParticipationEntry.objects.filter(source="quizzes.sheet:abc").exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"person_key": ""},
        {"score": 120},
        {"people": 0},
        {"channel": Channel.ACTIVITY, "person_key": "", "people": 5},  # a score on a non-contest entry
        {
            "channel": Channel.EVENT_ATTENDANCE,
            "unit": None,
            "person_key": "",
            "score": None,
            "max_score": None,
            "passed": None,
            "full_marks": None,
        },
    ],
)
def test_database_constraints(campaign, school, changes):
    values = contest_values(campaign, school, **changes)
    values["occurred_on"] = WHEN.date()
    values["campaign_id"] = values.pop("campaign").pk
    unit = values.pop("unit")
    values["unit_id"] = unit.pk if unit else None
    with pytest.raises(IntegrityError), transaction.atomic():
        ParticipationEntry.objects.create(**values)


def test_unitless_registration_is_allowed(campaign):
    entry = services.record_participation(
        source="events.registration:1",
        campaign=campaign,
        unit=None,
        channel=Channel.EVENT_REGISTRATION,
        audience=AudienceGroup.RESIDENTS,
        occurred_at=WHEN,
    )
    assert entry.unit_id is None


def test_activity_report_keeps_its_entry(campaign, school):
    report = ActivityReportFactory(campaign=campaign, unit=school, people=1200, title="安全进校园")
    entry = ParticipationEntry.objects.get(source=report.source)
    assert (entry.channel, entry.people, entry.person_key, entry.unit_id) == (Channel.ACTIVITY, 1200, "", school.pk)

    report.people = 1300
    services.save_activity_report(report=report)
    assert ParticipationEntry.objects.get(source=report.source).people == 1300

    source = report.source
    services.delete_activity_report(report=report)
    assert not ParticipationEntry.objects.filter(source=source).exists()


def test_deleting_a_report_any_way_withdraws_it(campaign, school):
    report = ActivityReportFactory(campaign=campaign, unit=school)
    source = report.source
    ActivityReport.objects.filter(pk=report.pk).delete()
    assert not ParticipationEntry.objects.filter(source=source).exists()


def test_activity_outside_the_campaign_is_refused(campaign, school):
    with pytest.raises(ValidationError) as error:
        ActivityReportFactory(campaign=campaign, unit=school, held_on=datetime.date(2026, 8, 1))
    assert "宣传活动期间" in str(error.value)


def test_entry_factory_goes_through_the_service(campaign, school):
    entry = EntryFactory(campaign=campaign, unit=school)
    assert entry.occurred_on == datetime.date(2026, 6, 10)
