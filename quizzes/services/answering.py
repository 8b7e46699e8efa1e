"""Answering a sheet: saving answers, submitting, grading and finalising overdue sheets.

The sheet row is locked while answers are saved or the sheet is graded, so a sheet is graded once
however many submits race, and a save either lands before grading or is refused. Grading sends
``quizzes.signals.sheet_finished`` after the commit, so it too is sent once per sheet.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.parsing import parse_json_int, parse_positive_int

from ..choices import MultipleChoiceScoring, QuestionKind, SheetStatus
from ..errors import InvalidInput, SheetFinished, SheetNotFound, TimeUp
from ..models.sheets import AnswerSheet, SheetQuestion
from ..selectors import sheet_facts
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


def _clean_selection(valid, kind, choice_ids):
    """The posted choice ids as a sorted list, or InvalidInput for anything not among ``valid``
    (the question's choice ids) or more than one where ``kind`` takes one."""
    if not isinstance(choice_ids, list | tuple):
        raise InvalidInput(_("选项无效。"))
    parsed = {_as_id(choice_id) for choice_id in choice_ids}
    if None in parsed:
        raise InvalidInput(_("选项无效。"))
    selected = sorted(parsed)
    if not set(selected) <= valid:
        raise InvalidInput(_("选项无效。"))
    if kind != QuestionKind.MULTIPLE and len(selected) > 1:
        raise InvalidInput(_("这道题只能选一个答案。"))
    return selected


def _locked_sheet(*, public_id, participant):
    try:
        # The contest comes along for grading; only the sheet row is locked (of "self"), never the
        # contest's, which every sheet shares.
        return (
            AnswerSheet.objects.select_for_update(of=("self",))
            .select_related("contest")
            .get(public_id=public_id, participant=participant)
        )
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
            SheetQuestion.objects.bulk_update(_apply_answers(sheet, answers, now=now), ["selected", "answered_at"])
    if timed_out:
        raise TimeUp()
    return sheet


def _apply_answers(sheet, answers, *, now, rows=None):
    """Set the answers on the sheet's question rows (``rows``: all of them, already read) and
    return the rows that changed, not yet written; InvalidInput for any position or choice not
    on the sheet."""
    if not answers:
        return []
    positions = {_as_id(position): choice_ids for position, choice_ids in answers.items()}
    if None in positions:
        raise InvalidInput(_("题号无效。"))
    if rows is None:
        rows = sheet.questions.select_related("version").filter(position__in=positions)
    questions = {q.position: q for q in rows}
    if set(positions) - set(questions):
        raise InvalidInput(_("题号无效。"))
    changed = []
    for position, choice_ids in positions.items():
        question = questions[position]
        content = question.version.content
        selected = _clean_selection(
            {choice["id"] for choice in content["choices"]}, content["kind"], choice_ids
        )  # fmt: skip
        if selected != question.selected:
            question.selected = selected
            question.answered_at = now
            changed.append(question)
    return changed


def _write_answer(*, facts, position, selected, now):
    """Write one answer in one statement if the sheet is in progress and not past its deadline and
    grace; whether it was written.

    The sheet row is locked by the statement itself (FOR UPDATE in the subquery, PostgreSQL),
    as ``_locked_sheet`` locks it: a grading holding the lock makes the save wait, and the
    condition is checked again on the graded row, so a save either lands before grading or is not
    written. SQLite runs one writing statement at a time."""
    quote = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    field = SheetQuestion._meta.get_field("selected")
    value = field.get_db_prep_value(selected, connection)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {quote(SheetQuestion._meta.db_table)} SET {quote('selected')} = %s{cast}, "
        f"{quote('answered_at')} = CASE WHEN {quote('selected')} = %s{cast} THEN {quote('answered_at')} ELSE %s END "
        f"WHERE {quote('position')} = %s AND {quote('sheet_id')} = (SELECT {quote('id')} FROM "
        f"{quote(AnswerSheet._meta.db_table)} WHERE {quote('id')} = %s AND {quote('status')} = %s "
        f"AND {quote('deadline')} >= %s{lock})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                value,
                value,
                now,
                position,
                facts.sheet_id,
                SheetStatus.IN_PROGRESS,
                now - timedelta(seconds=GRACE_SECONDS),
            ],
        )
        return cursor.rowcount == 1


def save_answer(*, public_id, participant_token, position, choices, now=None):
    """Autosave of one answer by the participant with ``participant_token``; the sheet's deadline.

    The busiest write of a contest: one statement when the sheet is in progress and the answer
    valid (the sheet's fixed facts are read once per process). Anything else (a finished or
    overdue sheet, an invalid answer) goes through ``save_answers``, which refuses or finalises
    exactly as it always has."""
    now = now or timezone.now()
    facts = sheet_facts(public_id=public_id)
    if facts is None or facts.participant_token != str(participant_token):
        raise SheetNotFound()
    question = facts.questions.get(position)
    try:
        selected = _clean_selection(*question, choices) if question else None
    except InvalidInput:
        selected = None
    if selected is not None and _write_answer(facts=facts, position=position, selected=selected, now=now):
        return facts.deadline
    return save_answers(
        public_id=public_id, participant=facts.participant_id, answers={position: choices}, now=now
    ).deadline


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


def _grade(sheet, *, now, status, rows=None, answered=()):
    """Grade ``sheet`` from its question rows (``rows``: all of them, already read, ``answered``
    those of them whose answers changed) in one write of the rows and one of the sheet."""
    questions = list(sheet.questions.select_related("version")) if rows is None else rows
    for question in questions:
        question.awarded = award(question, sheet.contest.multiple_scoring)
    SheetQuestion.objects.bulk_update(questions, ["awarded", *(["selected", "answered_at"] if answered else [])])
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
            rows = list(sheet.questions.select_related("version"))
            answered = _apply_answers(sheet, answers, now=now, rows=rows)
            _grade(sheet, now=now, status=SheetStatus.SUBMITTED, rows=rows, answered=answered)
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
