"""The bulk ledger path (``receivers.record_sheets`` → ``services.record_participations``) writes
exactly the entries the per-sheet receiver writes, with the same checks and stale markers."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from home.factories import TopicFactory
from organizations.factories import UnitFactory
from organizations.models import AudienceGroup, UnitKind
from participation import receivers, services
from participation.choices import Channel
from participation.factories import CampaignFactory
from participation.models import ParticipationEntry, StaleRollup
from quizzes.choices import AgeBand, Level, MultipleChoiceScoring, QuestionKind
from quizzes.factories import ContestIndexPageFactory, ContestPageFactory, ParticipantFactory, QuestionFactory
from quizzes.models import DrawRule
from quizzes.selectors import sheet_outcome, sheet_outcomes
from quizzes.services import answering
from quizzes.services.drawing import start_answer_sheet

# Everything an entry holds but its row id and the time it was written.
COMPARED = [field.name for field in ParticipationEntry._meta.fields if field.name not in {"id", "updated_at"}]


@pytest.fixture
def units(db):
    town = UnitFactory(kind=UnitKind.TOWN, name="批量测试镇")
    return [
        UnitFactory(kind=UnitKind.SCHOOL, name="批量测试小学", parent=town),
        UnitFactory(kind=UnitKind.SCHOOL, name="批量测试中学", parent=town),
        UnitFactory(kind=UnitKind.COMMUNITY, name="批量测试社区", parent=town),
    ]


@pytest.fixture
def contest(home_page, campaign):
    """Single-choice questions on one topic, multiple-choice (scored per option) on another."""
    fire, gas = TopicFactory(slug="bulk-fire", name="批量消防"), TopicFactory(slug="bulk-gas", name="批量燃气")
    for n in range(4):
        QuestionFactory(key=f"bulk-single-{n}", kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=fire)
    for n in range(3):
        QuestionFactory(key=f"bulk-multiple-{n}", kind=QuestionKind.MULTIPLE, level=Level.PRIMARY, topic=gas)
    contest = ContestPageFactory(
        parent=ContestIndexPageFactory(parent=home_page),
        campaign=campaign,
        pass_mark=60,
        multiple_scoring=MultipleChoiceScoring.PER_OPTION,
        allowed_unit_kinds=[UnitKind.SCHOOL, UnitKind.COMMUNITY],
        attempts_per_day=3,
        attempts_total=3,
    )
    DrawRule.objects.create(
        contest=contest, kind=QuestionKind.SINGLE, topic=fire, level=Level.PRIMARY, count=3, points=10
    )
    DrawRule.objects.create(
        contest=contest, kind=QuestionKind.MULTIPLE, topic=gas, level=Level.PRIMARY, count=2, points=20
    )
    return contest


def finish(contest, participant, rng):
    """A sheet answered at random: right, partly right (a multiple choice), wrong or blank."""
    sheet = start_answer_sheet(contest=contest, participant=participant, rng=rng)
    answers = {}
    for question in sheet.questions.select_related("version"):
        correct = sorted(question.version.correct_ids)
        wrong = [choice for choice in question.choice_order if choice not in correct]
        answers[question.position] = rng.choice([correct, correct[:1], wrong[:1], []])
    return answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)


@pytest.fixture
def sheets(contest, units):
    rng = random.Random(12)
    people = [
        ParticipantFactory(unit=units[0], name="张 小明", class_name="三年级一班"),
        ParticipantFactory(unit=units[1], name="ＬＩ　Ｍｉｎｇ", class_name="初一（3）班"),
        ParticipantFactory(unit=units[2], name="王大妈", class_name="", age_band=AgeBand.ADULT, person_key="k" * 64),
    ]
    # Two attempts each, so a person's sheets differ in score but share a key.
    return [finish(contest, person, rng) for person in people for _attempt in range(2)]


def entries(prefix="quizzes.sheet:"):
    """The ledger's entries whose source starts with ``prefix`` (not the demo's), field by field."""
    recorded = ParticipationEntry.objects.filter(source__startswith=prefix)
    return {entry.source: model_to_dict(entry, fields=COMPARED) for entry in recorded}


def test_the_bulk_path_writes_what_the_per_sheet_receiver_writes(sheets, campaign):
    ParticipationEntry.objects.all().delete()
    for sheet in sheets:
        receivers.record_sheet(sheet=sheet)
    one_by_one = entries()
    assert len(one_by_one) == len(sheets)
    # The sheets differ where it matters, so the comparison is not between look-alikes.
    assert len({entry["score"] for entry in one_by_one.values()}) > 1
    assert {entry["audience"] for entry in one_by_one.values()} == {AudienceGroup.STUDENTS, AudienceGroup.RESIDENTS}
    assert any(entry["topic_results"] for entry in one_by_one.values())

    ParticipationEntry.objects.all().delete()
    StaleRollup.objects.all().delete()
    assert receivers.record_sheets(sheet_ids=[sheet.pk for sheet in sheets]) == len(sheets)
    assert entries() == one_by_one
    # One stale marker per (campaign, unit), not one write per sheet.
    assert set(StaleRollup.objects.values_list("campaign_id", "unit_key")) == {
        (campaign.pk, sheet.unit_id) for sheet in sheets
    }


def test_recording_again_in_bulk_updates_in_place(sheets, campaign, units):
    receivers.record_sheets(sheet_ids=[sheet.pk for sheet in sheets])
    before = entries()
    ids = dict(
        ParticipationEntry.objects.filter(source__in=[f"quizzes.sheet:{s.public_id}" for s in sheets]).values_list(
            "source", "pk"
        )
    )
    assert len(ids) == len(sheets)
    assert receivers.record_sheets(sheet_ids=[sheet.pk for sheet in sheets]) == len(sheets)
    assert entries() == before
    assert dict(ParticipationEntry.objects.filter(source__in=ids).values_list("source", "pk")) == ids

    # The contest moves to another campaign: the entries follow, and both campaigns' rollups go stale.
    other = CampaignFactory(name="另一个安全月")
    contest = sheets[0].contest
    contest.campaign = other
    contest.save(update_fields=["campaign"])
    StaleRollup.objects.all().delete()
    receivers.record_sheets(sheet_ids=[sheet.pk for sheet in sheets])
    assert set(ParticipationEntry.objects.filter(source__in=ids).values_list("campaign_id", flat=True)) == {other.pk}
    assert set(StaleRollup.objects.values_list("campaign_id", "unit_key")) == {
        (c.pk, sheet.unit_id) for c in (campaign, other) for sheet in sheets
    }
    for sheet in sheets:
        receivers.record_sheet(sheet=sheet)
    assert entries() == {source: {**entry, "campaign": other.pk} for source, entry in before.items()}, (
        "the per-sheet receiver agrees"
    )


def test_the_bulk_outcomes_are_the_per_sheet_outcomes(sheets, contest, units):
    in_progress = start_answer_sheet(contest=contest, participant=ParticipantFactory(unit=units[0]))
    assert sheet_outcomes(sheet_ids=[sheet.pk for sheet in sheets]) == {
        sheet.pk: sheet_outcome(sheet=sheet) for sheet in sheets
    }
    with pytest.raises(ValueError):
        sheet_outcomes(sheet_ids=[sheets[0].pk, in_progress.pk])


def test_the_bulk_outcomes_take_constant_queries(sheets, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        sheet_outcomes(sheet_ids=[sheet.pk for sheet in sheets])


def entry(campaign, unit, source, **fields):
    return {
        "source": source,
        "campaign": campaign,
        "unit": unit,
        "channel": Channel.CONTEST,
        "audience": AudienceGroup.STUDENTS,
        "occurred_at": timezone.make_aware(datetime.datetime(2026, 6, 3, 23, 30)),
        "person_key": "p" * 64,
        "score": 8,
        "max_score": 10,
        "passed": True,
        "full_marks": False,
        "topic_results": {7: ["2", 3], 8: [0, 0]},
        **fields,
    }


def test_record_participations_matches_record_participation_field_by_field(campaign, units):
    other = CampaignFactory(name="对照安全月")
    rows = [
        entry(campaign, units[0], "test.bulk:1"),
        entry(campaign, units[1].pk, "test.bulk:2", class_name="班" * 40, score=10, full_marks=True),
        entry(
            campaign,
            None,
            "test.bulk:3",
            channel=Channel.EVENT_REGISTRATION,
            person_key="",
            people=12,
            score=None,
            max_score=None,
            passed=None,
            full_marks=None,
            topic_results=None,
        ),
    ]
    for row in rows:
        services.record_participation(**{**row, "campaign": other, "source": row["source"] + ":single"})
    assert services.record_participations(entries=rows) == len(rows)
    recorded = entries("test.bulk:")
    single = {source.removesuffix(":single"): {**e, "campaign": campaign.pk} for source, e in recorded.items()}
    bulk = {source: e for source, e in recorded.items() if not source.endswith(":single")}
    assert set(bulk) == {row["source"] for row in rows}
    for source, fields in bulk.items():
        assert fields == {**single[source], "source": source}
    assert bulk["test.bulk:1"]["topic_results"] == {"7": [2, 3]}
    assert bulk["test.bulk:1"]["occurred_on"] == timezone.localdate(rows[0]["occurred_at"])


def test_record_participations_checks_every_entry_and_writes_nothing_if_one_fails(campaign, units):
    good = entry(campaign, units[0], "test.bulk:good")
    with pytest.raises(ValidationError):
        services.record_participations(entries=[good, entry(campaign, units[0], "test.bulk:bad", channel="nonsense")])
    with pytest.raises(ValidationError, match="答卷记录必须有单位、人员标识和成绩"):
        services.record_participations(entries=[good, entry(campaign, units[0], "test.bulk:bad", person_key="")])
    with pytest.raises(ValidationError):
        services.record_participations(
            entries=[good, entry(campaign, units[0], "test.bulk:bad", channel=Channel.ACTIVITY, people=0)]
        )
    assert not ParticipationEntry.objects.filter(source__startswith="test.bulk:").exists()


def test_a_source_given_twice_keeps_its_last_entry(campaign, units):
    assert (
        services.record_participations(
            entries=[
                entry(campaign, units[0], "test.bulk:twice"),
                entry(campaign, units[1], "test.bulk:twice", score=3),
            ]
        )
        == 1
    )
    recorded = ParticipationEntry.objects.get(source="test.bulk:twice")
    assert (recorded.unit_id, recorded.score) == (units[1].pk, 3)
    assert services.record_participations(entries=[]) == 0
