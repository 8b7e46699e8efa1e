"""Answering a sheet: saving answers, submitting, grading and finalising overdue sheets.

The sheet row is locked while answers are saved or the sheet is graded, so a sheet is graded once
however many submits race, and a save either lands before grading or is refused. Grading sends
``quizzes.signals.sheet_finished`` after the commit, so it too is sent once per sheet.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.parsing import parse_json_int, parse_positive_int

from ..choices import MultipleChoiceScoring, QuestionKind, SheetStatus
from ..errors import InvalidInput, SheetFinished, SheetNotFound, TimeUp
from ..models.sheets import AnswerSheet, SheetQuestion
from ..signals import send_sheet_finished_on_commit

# Answers and submits this long after the deadline still count: network latency, not cheating.
GRACE_SECONDS = 10


# Well above any choice id or position on a sheet, within what every database stores.
MAX_ID = 32767


def _as_id(value):
    """A position or choice id as the browser posts it: an int from JSON (not a bool or a float)
    or ASCII digits from a form; None for anything else."""
    if isinstance(value, str):
        return parse_positive_int(value, maximum=MAX_ID)
    return parse_json_int(value, minimum=1, maximum=MAX_ID)


def _clean_selection(version, choice_ids):
    """The posted choice ids as a sorted list, or InvalidInput for anything not on this question."""
    if not isinstance(choice_ids, list | tuple):
        raise InvalidInput(_("选项无效。"))
    parsed = {_as_id(choice_id) for choice_id in choice_ids}
    if None in parsed:
        raise InvalidInput(_("选项无效。"))
    selected = sorted(parsed)
    valid = {choice["id"] for choice in version.content["choices"]}
    if not set(selected) <= valid:
        raise InvalidInput(_("选项无效。"))
    if version.content["kind"] != QuestionKind.MULTIPLE and len(selected) > 1:
        raise InvalidInput(_("这道题只能选一个答案。"))
    return selected


def _locked_sheet(*, public_id, participant):
    try:
        return AnswerSheet.objects.select_for_update().get(public_id=public_id, participant=participant)
    except (AnswerSheet.DoesNotExist, ValidationError, ValueError):
        raise SheetNotFound() from None


def save_answers(*, public_id, participant, answers, now=None):
    """Save answers ``{position: [choice ids]}`` on an unfinished sheet before its deadline.

    Past the deadline (plus a short grace) nothing new is saved: the sheet is finalised from what
    was saved before, and TimeUp is raised.
    """
    now = now or timezone.now()
    with transaction.atomic():
        sheet = _locked_sheet(public_id=public_id, participant=participant)
        if sheet.is_finished:
            raise SheetFinished()
        if now > sheet.deadline + timedelta(seconds=GRACE_SECONDS):
            _grade(sheet, now=now, status=SheetStatus.TIMED_OUT)
            timed_out = True
        else:
            timed_out = False
            _apply_answers(sheet, answers, now=now)
    if timed_out:
        raise TimeUp()
    return sheet


def _apply_answers(sheet, answers, *, now):
    if not answers:
        return
    positions = {_as_id(position): choice_ids for position, choice_ids in answers.items()}
    if None in positions:
        raise InvalidInput(_("题号无效。"))
    questions = {q.position: q for q in sheet.questions.select_related("version").filter(position__in=positions)}
    if set(positions) - set(questions):
        raise InvalidInput(_("题号无效。"))
    changed = []
    for position, choice_ids in positions.items():
        question = questions[position]
        selected = _clean_selection(question.version, choice_ids)
        if selected != question.selected:
            question.selected = selected
            question.answered_at = now
            changed.append(question)
    SheetQuestion.objects.bulk_update(changed, ["selected", "answered_at"])


def award(question, scoring):
    """Points for one answered SheetQuestion under the contest's multiple-choice scoring rule."""
    correct = question.version.correct_ids
    selected = set(question.selected)
    if not selected or selected - correct:
        return 0
    if selected == correct:
        return question.points
    if scoring == MultipleChoiceScoring.PER_OPTION:
        return question.points * len(selected) // len(correct)
    return 0


# Reading a question and its options takes a person a few seconds at the very least.
SECONDS_PER_QUESTION = 3


def is_implausible(sheet, *, question_count):
    """An excellent score (the contest's 优秀 mark or more) in less than reading time."""
    per_question = getattr(settings, "QUIZ_MIN_SECONDS_PER_QUESTION", SECONDS_PER_QUESTION)
    return sheet.percent >= sheet.contest.excellent_mark and sheet.duration_seconds < per_question * question_count


def _grade(sheet, *, now, status):
    questions = list(sheet.questions.select_related("version"))
    for question in questions:
        question.awarded = award(question, sheet.contest.multiple_scoring)
    SheetQuestion.objects.bulk_update(questions, ["awarded"])
    finished_at = min(now, sheet.deadline)
    sheet.status = status
    sheet.finished_at = finished_at
    sheet.score = sum(question.awarded for question in questions)
    sheet.duration_seconds = max(0, round((finished_at - sheet.started_at).total_seconds()))
    sheet.flagged = is_implausible(sheet, question_count=len(questions))
    sheet.save(update_fields=["status", "finished_at", "score", "duration_seconds", "flagged"])
    # Every finishing path ends here, once per sheet: the callers hold the row lock and grade only
    # a sheet that is not finished yet.
    send_sheet_finished_on_commit(sheet)


def submit_answer_sheet(*, public_id, participant, answers=None, now=None):
    """Grade the sheet once. Submitting again (double click, retried request, fifty at once)
    returns the same graded sheet; answers sent after the deadline are ignored."""
    now = now or timezone.now()
    with transaction.atomic():
        sheet = _locked_sheet(public_id=public_id, participant=participant)
        if sheet.is_finished:
            return sheet
        if now > sheet.deadline + timedelta(seconds=GRACE_SECONDS):
            _grade(sheet, now=now, status=SheetStatus.TIMED_OUT)
        else:
            _apply_answers(sheet, answers, now=now)
            _grade(sheet, now=now, status=SheetStatus.SUBMITTED)
    return sheet


def finalise_sheet(*, sheet_id, now=None):
    """Grade an overdue sheet from its saved answers (no-op if it is already finished)."""
    now = now or timezone.now()
    with transaction.atomic():
        sheet = AnswerSheet.objects.select_for_update().get(pk=sheet_id)
        if not sheet.is_finished:
            _grade(sheet, now=now, status=SheetStatus.TIMED_OUT)
    return sheet


def finalise_if_overdue(*, sheet, now=None):
    """Lazily finalise a sheet that is being looked at after its deadline and grace."""
    now = now or timezone.now()
    if not sheet.is_finished and now > sheet.deadline + timedelta(seconds=GRACE_SECONDS):
        return finalise_sheet(sheet_id=sheet.pk, now=now)
    return sheet


def finalise_overdue_sheets(*, now=None):
    """Finalise every sheet past its deadline and grace; returns how many were finalised."""
    now = now or timezone.now()
    ids = list(AnswerSheet.objects.overdue(grace_seconds=GRACE_SECONDS, now=now).values_list("pk", flat=True))
    for sheet_id in ids:
        finalise_sheet(sheet_id=sheet_id, now=now)
    return len(ids)
