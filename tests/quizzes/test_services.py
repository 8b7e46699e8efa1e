"""The rules of a contest as the services enforce them: drawing, saving, grading, time, allowances."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import CharField, Value
from django.utils import timezone

from core.privacy import MOBILE_PHONE_REGEX
from organizations.people import phone_digest
from quizzes.choices import AgeBand, MultipleChoiceScoring, QuestionKind, SheetStatus
from quizzes.errors import (
    AllowanceUsed,
    ContestNotOpen,
    InvalidInput,
    SheetFinished,
    SheetNotFound,
    TimeUp,
    UnitNotAllowed,
)
from quizzes.factories import ParticipantFactory, QuestionFactory
from quizzes.models import AnswerSheet, Participant
from quizzes.services import answering
from quizzes.services.bank import save_question, snapshot_question
from quizzes.services.drawing import start_answer_sheet
from quizzes.services.participants import identify_participant

from .conftest import correct_answers

pytestmark = pytest.mark.django_db


def start(contest, participant, **kwargs):
    return start_answer_sheet(contest=contest, participant=participant, **kwargs)


def test_a_new_sheet_draws_the_blueprint_with_a_server_deadline(contest, participant):
    before = timezone.now()
    sheet = start(contest, participant)
    assert sheet.questions.count() == 5
    assert sheet.max_score == 100
    assert before <= sheet.started_at <= timezone.now()
    assert sheet.deadline == sheet.started_at + timedelta(seconds=150)
    assert sheet.status == SheetStatus.IN_PROGRESS
    assert len({q.version.question_id for q in sheet.questions.all()}) == 5


def test_choices_are_shuffled_per_person_but_the_same_question_set_comes_from_the_bank(contest, school):
    orders = set()
    for n in range(6):
        sheet = start(contest, ParticipantFactory(unit=school, name=f"学生{n}"))
        orders.update(tuple(q.choice_order) for q in sheet.questions.all())
    assert len(orders) > 1, "choice order should differ between participants"


def test_starting_again_resumes_the_same_sheet(contest, participant):
    first = start(contest, participant)
    answering.save_answers(public_id=first.public_id, participant=participant, answers={1: [1]})
    again = start(contest, participant)
    assert again.pk == first.pk
    assert again.questions.get(position=1).selected == [1]


def test_correct_answers_score_full_marks_and_wrong_ones_nothing(contest, participant):
    sheet = start(contest, participant)
    answers = correct_answers(sheet)
    wrong_position = 3
    wrong_choice = next(
        c["id"] for c in sheet.questions.get(position=wrong_position).version.content["choices"] if not c["correct"]
    )
    answers[wrong_position] = [wrong_choice]
    graded = answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)
    assert graded.status == SheetStatus.SUBMITTED
    assert graded.score == 80
    assert graded.questions.get(position=wrong_position).awarded == 0


def test_submitting_twice_grades_once(contest, participant):
    sheet = start(contest, participant)
    first = answering.submit_answer_sheet(
        public_id=sheet.public_id, participant=participant, answers=correct_answers(sheet)
    )
    second = answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers={1: [3]})
    assert (second.score, second.finished_at, second.status) == (first.score, first.finished_at, first.status)
    with pytest.raises(SheetFinished) as refused:
        answering.save_answers(public_id=sheet.public_id, participant=participant, answers={1: [3]})
    assert refused.value.status == 409


def test_answers_after_the_deadline_are_refused_and_the_sheet_is_finalised_from_saved_answers(contest, participant):
    sheet = start(contest, participant)
    answering.save_answers(public_id=sheet.public_id, participant=participant, answers=correct_answers(sheet))
    late = sheet.deadline + timedelta(seconds=answering.GRACE_SECONDS + 1)
    with pytest.raises(TimeUp) as refused:
        answering.save_answers(public_id=sheet.public_id, participant=participant, answers={1: [3]}, now=late)
    assert refused.value.status == 409
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.TIMED_OUT
    assert sheet.score == 100  # what was saved in time counts
    assert sheet.duration_seconds == 150


def test_a_submit_within_the_grace_period_still_counts(contest, participant):
    sheet = start(contest, participant)
    just_late = sheet.deadline + timedelta(seconds=answering.GRACE_SECONDS - 1)
    graded = answering.submit_answer_sheet(
        public_id=sheet.public_id, participant=participant, answers=correct_answers(sheet), now=just_late
    )
    assert graded.status == SheetStatus.SUBMITTED
    assert graded.score == 100
    assert graded.duration_seconds == 150  # time is capped at the limit


def test_a_late_submit_ignores_new_answers(contest, participant):
    sheet = start(contest, participant)
    late = sheet.deadline + timedelta(minutes=5)
    graded = answering.submit_answer_sheet(
        public_id=sheet.public_id, participant=participant, answers=correct_answers(sheet), now=late
    )
    assert graded.status == SheetStatus.TIMED_OUT
    assert graded.score == 0


def test_overdue_sheets_are_finalised_by_the_management_command(contest, participant):
    sheet = start(contest, participant)
    answering.save_answers(public_id=sheet.public_id, participant=participant, answers=correct_answers(sheet))
    AnswerSheet.objects.filter(pk=sheet.pk).update(
        started_at=timezone.now() - timedelta(minutes=10), deadline=timezone.now() - timedelta(minutes=5)
    )
    call_command("finalise_overdue_sheets")
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.TIMED_OUT
    assert sheet.score == 100


def test_daily_and_total_allowances(contest, participant):
    first = start(contest, participant)
    answering.submit_answer_sheet(public_id=first.public_id, participant=participant)
    with pytest.raises(AllowanceUsed) as refused:
        start(contest, participant)
    assert "每天最多可答 1 次" in str(refused.value.message)
    tomorrow = timezone.now() + timedelta(days=1)
    second = start(contest, participant, now=tomorrow)
    answering.submit_answer_sheet(public_id=second.public_id, participant=participant, now=tomorrow)
    with pytest.raises(AllowanceUsed) as refused:
        start(contest, participant, now=tomorrow + timedelta(days=1))
    assert "最多可答 2 次" in str(refused.value.message)
    assert AnswerSheet.objects.filter(participant=participant).count() == 2


def test_the_database_refuses_a_second_sheet_for_the_same_attempt(contest, participant):
    sheet = start(contest, participant)
    answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant)
    with pytest.raises(IntegrityError), transaction.atomic():
        AnswerSheet.objects.create(
            contest=contest,
            participant=participant,
            unit=participant.unit,
            attempt_number=1,
            attempt_date=timezone.localdate(),
            attempt_of_day=2,
            started_at=timezone.now(),
            deadline=timezone.now() + timedelta(seconds=60),
            max_score=100,
        )


def test_closed_or_unopened_contest_refuses_to_start(contest, participant):
    with pytest.raises(ContestNotOpen):
        start(contest, participant, now=contest.closes_at + timedelta(seconds=1))
    with pytest.raises(ContestNotOpen):
        start(contest, participant, now=contest.opens_at - timedelta(seconds=1))
    assert not AnswerSheet.objects.filter(participant=participant).exists()


def test_editing_an_active_question_does_not_change_how_a_drawn_sheet_is_graded(contest, participant):
    sheet = start(contest, participant)
    answers = correct_answers(sheet)
    question = sheet.questions.get(position=1).version.question
    save_question(question=question, choices=[("新的正确答案", True), ("旧的正确答案", False), ("其他", False)])
    graded = answering.submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers=answers)
    assert graded.score == 100
    assert question.versions.count() == 1  # the edit makes a new version only when it is next drawn
    assert snapshot_question(question=question).number == 2


def test_unknown_choice_or_position_is_refused_and_nothing_is_saved(contest, participant):
    sheet = start(contest, participant)
    for answers in ({1: [99]}, {99: [1]}, {1: ["x"]}, {"x": [1]}, {1: [1, 2]}):
        with pytest.raises(InvalidInput) as refused:
            answering.save_answers(public_id=sheet.public_id, participant=participant, answers=answers)
        assert refused.value.status == 422
    assert all(q.selected == [] for q in sheet.questions.all())


def test_another_persons_sheet_is_not_found(contest, participant, school):
    sheet = start(contest, participant)
    stranger = ParticipantFactory(unit=school, name="李雷")
    for call in (answering.save_answers, answering.submit_answer_sheet):
        with pytest.raises(SheetNotFound) as refused:
            call(public_id=sheet.public_id, participant=stranger, answers={1: [1]})
        assert refused.value.status == 404
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.IN_PROGRESS


def test_multiple_choice_scoring_rules(topic, participant):
    question = QuestionFactory(
        kind=QuestionKind.MULTIPLE, topic=topic, choices=[("甲", True), ("乙", True), ("丙", True), ("丁", False)]
    )
    version = snapshot_question(question=question)

    class Row:
        points = 12

        def __init__(self, selected):
            self.selected = selected
            self.version = version

    all_or_nothing = MultipleChoiceScoring.ALL_OR_NOTHING
    per_option = MultipleChoiceScoring.PER_OPTION
    assert answering.award(Row([1, 2, 3]), all_or_nothing) == 12
    assert answering.award(Row([1, 2]), all_or_nothing) == 0
    assert answering.award(Row([1, 2]), per_option) == 8
    assert answering.award(Row([1, 4]), per_option) == 0  # a wrong pick scores nothing
    assert answering.award(Row([]), per_option) == 0


class TestParticipants:
    def test_children_need_a_guardians_consent(self, contest, school):
        with pytest.raises(InvalidInput) as refused:
            identify_participant(contest=contest, name="王小红", unit=school, age_band=AgeBand.UNDER_14)
        assert "监护人" in str(refused.value.message)
        child = identify_participant(
            contest=contest, name="王小红", unit=school, age_band=AgeBand.UNDER_14, guardian_consent=True
        )
        assert child.guardian_consent_at is not None
        assert child.guardian_consent_version == contest.consent_version

    def test_no_phone_number_is_kept_for_a_child(self, contest, school):
        contest.ask_phone = True
        child = identify_participant(
            contest=contest,
            name="王小红",
            unit=school,
            age_band=AgeBand.UNDER_14,
            guardian_consent=True,
            phone="13812341234",
        )
        assert (child.phone_digest, child.phone_masked) == ("", "")

    def test_the_database_refuses_a_childs_phone_or_missing_consent(self, school):
        with pytest.raises(IntegrityError), transaction.atomic():
            Participant.objects.create(
                name="王小红",
                unit=school,
                age_band=AgeBand.UNDER_14,
                phone_digest=phone_digest("13812341234"),
                phone_masked="138****1234",
                guardian_consent_at=timezone.now(),
                guardian_consent_version="1",
            )
        with pytest.raises(IntegrityError), transaction.atomic():
            Participant.objects.create(name="王小红", unit=school, age_band=AgeBand.UNDER_14)

    def test_the_database_refuses_a_plain_phone_or_half_a_phone(self, school):
        adult = ParticipantFactory(unit=school, age_band=AgeBand.ADULT)
        # .update() skips full_clean, so only the database stands in the way.
        same = Participant.objects.filter(pk=adult.pk)
        digest = phone_digest("13800000000")
        for fields in (
            {"phone_digest": digest, "phone_masked": "13800000000"},
            {"phone_digest": digest, "phone_masked": "138****0000\n"},
            {"phone_digest": digest + "\n", "phone_masked": "138****0000"},
            {"phone_digest": digest, "phone_masked": ""},
            {"phone_digest": "", "phone_masked": "138****0000"},
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                same.update(**fields)
        same.update(phone_digest=digest, phone_masked="138****0000")
        adult.refresh_from_db()
        assert (adult.phone_digest, adult.phone_masked) == (digest, "138****0000")

    @pytest.mark.parametrize(("phone", "ok"), [("13800000000", True), ("13800000000\n", False)])
    def test_the_constraints_pattern_ends_at_the_end_of_the_string_in_the_database(self, participant, phone, ok):
        candidate = Participant.objects.annotate(candidate=Value(phone, output_field=CharField()))
        assert candidate.filter(pk=participant.pk, candidate__regex=MOBILE_PHONE_REGEX).exists() is ok

    def test_wrong_unit_kind_is_refused(self, contest):
        from organizations.factories import UnitFactory
        from organizations.models import UnitKind

        enterprise = UnitFactory(kind=UnitKind.ENTERPRISE, name="测试示范化工有限公司")
        with pytest.raises(UnitNotAllowed) as refused:
            identify_participant(contest=contest, name="赵工", unit=enterprise, age_band=AgeBand.ADULT)
        assert refused.value.status == 403

    @pytest.mark.parametrize("name", ["", "   ", "名" * 31])
    def test_a_name_is_required_and_short(self, contest, school, name):
        with pytest.raises(InvalidInput):
            identify_participant(contest=contest, name=name, unit=school, age_band=AgeBand.ADULT)

    def test_bad_phone_is_refused(self, contest, school):
        contest.ask_phone = True
        with pytest.raises(InvalidInput):
            identify_participant(contest=contest, name="赵老师", unit=school, age_band=AgeBand.ADULT, phone="12345")
