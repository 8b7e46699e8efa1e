"""Writes for the answer-sheet contests. Every function is keyword-only and atomic; each raises a
``quizzes.errors.ContestError`` (Chinese message, HTTP status) and changes nothing when it refuses.

Exactly-once rests on the database: the sheet row is locked (``select_for_update``; SQLite's
IMMEDIATE transactions serialise writers instead) while an answer is saved or the sheet graded,
and unique constraints on (contest, participant, attempt number / day / in-progress) stop two
concurrent starts from exceeding an allowance.
"""

import hashlib
import io
import json
import random
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from home.privacy import mask_phone
from organizations.models import Unit

from .choices import AgeBand, MultipleChoiceScoring, QuestionKind, SheetStatus
from .errors import (
    AllowanceUsed,
    ContestNotOpen,
    InvalidInput,
    PaperUnavailable,
    SheetFinished,
    SheetNotFound,
    TimeUp,
    UnitNotAllowed,
)
from .models import AnswerSheet, Choice, Participant, Question, QuestionVersion, SheetQuestion
from .validation import validate_choices

# Answers and submits this long after the deadline still count: network latency, not cheating.
GRACE_SECONDS = 10


# Question bank


def _question_content(question):
    return {
        "kind": question.kind,
        "stem": question.stem,
        "explanation": question.explanation,
        "article_id": question.article_id,
        "image_id": question.stem_image_id,
        "image_alt": question.stem_image_alt,
        "choices": [
            {"id": index + 1, "text": choice.text, "correct": choice.is_correct}
            for index, choice in enumerate(question.choices.all())
        ],
    }


@transaction.atomic
def snapshot_question(*, question):
    """The version of ``question`` as it is now, creating it if its content is new."""
    content = _question_content(question)
    fingerprint = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    existing = QuestionVersion.objects.filter(question=question, fingerprint=fingerprint).first()
    if existing:
        return existing
    number = (QuestionVersion.objects.filter(question=question).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return QuestionVersion.objects.create(
                question=question, number=number, content=content, fingerprint=fingerprint
            )
    except IntegrityError:
        # Another sheet snapshotted the same content at the same moment.
        return QuestionVersion.objects.get(question=question, fingerprint=fingerprint)


@transaction.atomic
def save_question(*, question, choices):
    """Create or update a question and its choices (list of (text, is_correct)), validated."""
    errors = validate_choices(question.kind, choices)
    if errors:
        raise ValidationError({"choices": errors})
    question.full_clean()
    # Assigning the child list and saving is how modelcluster writes inline children.
    question.choices = [
        Choice(text=text.strip(), is_correct=is_correct, sort_order=order)
        for order, (text, is_correct) in enumerate(choices)
    ]
    question.save()
    return question


# Participants


def register_participant(*, contest, name, unit, age_band, class_name="", phone="", guardian_consent=False):
    """Record who is taking ``contest``. Children under 14 need a guardian's consent and give no
    phone number; no ID number is ever asked for."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 30:
        raise InvalidInput(_("请填写姓名（不超过 30 个字）。"))
    if not isinstance(unit, Unit) or not unit.is_active:
        raise InvalidInput(_("请选择你所在的单位。"))
    if unit.kind not in contest.allowed_unit_kinds:
        raise UnitNotAllowed()
    if age_band not in AgeBand.values:
        raise InvalidInput(_("请选择年龄段。"))
    participant = Participant(
        name=name,
        unit=unit,
        age_band=age_band,
        class_name=" ".join((class_name or "").split())[:30] if contest.ask_class_name else "",
    )
    if age_band == AgeBand.UNDER_14:
        if not guardian_consent:
            raise InvalidInput(_("14 岁以下的同学需要监护人勾选同意后才能参加。"))
        participant.guardian_consent_at = timezone.now()
        participant.guardian_consent_version = contest.consent_version
    elif phone and contest.ask_phone:
        participant.phone = phone.strip()
    try:
        participant.full_clean()
    except ValidationError as error:
        raise InvalidInput("；".join(error.messages)) from None
    participant.save()
    return participant


# Drawing a paper


def _draw(*, contest, rng):
    """[(question, points)] for a new sheet: fixed questions first, then each draw rule in order."""
    chosen = []
    taken = set()
    for fixed in contest.fixed_questions.select_related("question").prefetch_related("question__choices"):
        chosen.append((fixed.question, fixed.points))
        taken.add(fixed.question_id)
    for rule in contest.draw_rules.all():
        pool = Question.objects.active().exclude(pk__in=taken)
        if rule.kind:
            pool = pool.filter(kind=rule.kind)
        if rule.topic_id:
            pool = pool.filter(topic_id=rule.topic_id)
        if rule.level:
            pool = pool.filter(level=rule.level)
        candidates = list(pool.values_list("pk", flat=True))
        if len(candidates) < rule.count:
            raise PaperUnavailable()
        picked = rng.sample(candidates, rule.count)
        taken.update(picked)
        chosen.extend(
            (question, rule.points) for question in Question.objects.filter(pk__in=picked).prefetch_related("choices")
        )
    if not chosen:
        raise PaperUnavailable()
    return chosen


def _local_date(moment):
    return timezone.localtime(moment).date()


def start_answer_sheet(*, contest, participant, ip_address=None, now=None, rng=None):
    """The participant's sheet for ``contest``: the one in progress if there is one (a reload or a
    second tab resumes it), otherwise a new one drawn now, within the daily and total allowances."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    if participant.unit.kind not in contest.allowed_unit_kinds:
        raise UnitNotAllowed()
    current = AnswerSheet.objects.filter(
        contest=contest, participant=participant, status=SheetStatus.IN_PROGRESS
    ).first()
    if current is not None:
        if now <= current.deadline + timedelta(seconds=GRACE_SECONDS):
            return current
        finalise_sheet(sheet_id=current.pk, now=now)
    if not contest.is_open(now):
        raise ContestNotOpen()

    today = _local_date(now)
    paper = _draw(contest=contest, rng=rng)
    if contest.shuffle_questions:
        rng.shuffle(paper)
    # Snapshot outside the sheet's transaction and in question order: concurrent starts that
    # create the same new versions inside their transactions, in random order, deadlock.
    versions = {
        question.pk: snapshot_question(question=question) for question, _points in sorted(paper, key=lambda p: p[0].pk)
    }
    try:
        with transaction.atomic():
            # One read, so the decision rests on one snapshot even while a concurrent start commits.
            sheets = list(AnswerSheet.objects.filter(contest=contest, participant=participant))
            current = next((s for s in sheets if s.status == SheetStatus.IN_PROGRESS), None)
            if current is not None:
                return current  # a concurrent start created it since the check above
            attempts = len(sheets)
            today_attempts = sum(1 for s in sheets if s.attempt_date == today)
            if attempts >= contest.attempts_total:
                raise AllowanceUsed(_("每人最多可答 %(n)s 次，你的次数已用完。") % {"n": contest.attempts_total})
            if today_attempts >= contest.attempts_per_day:
                raise AllowanceUsed(_("每人每天最多可答 %(n)s 次，请明天再来。") % {"n": contest.attempts_per_day})
            sheet = AnswerSheet.objects.create(
                contest=contest,
                participant=participant,
                unit_id=participant.unit_id,
                attempt_number=attempts + 1,
                attempt_date=today,
                attempt_of_day=today_attempts + 1,
                started_at=now,
                deadline=now + timedelta(seconds=contest.time_limit_seconds),
                max_score=sum(points for _question, points in paper),
                ip_address=ip_address,
            )
            rows = []
            for position, (question, points) in enumerate(paper, start=1):
                version = versions[question.pk]
                order = [choice["id"] for choice in version.content["choices"]]
                if contest.shuffle_choices and version.content["kind"] != QuestionKind.TRUE_FALSE:
                    rng.shuffle(order)
                rows.append(
                    SheetQuestion(sheet=sheet, position=position, version=version, points=points, choice_order=order)
                )
            SheetQuestion.objects.bulk_create(rows)
    except IntegrityError:
        # A concurrent start for the same participant won the race for this attempt number.
        current = AnswerSheet.objects.filter(
            contest=contest, participant=participant, status=SheetStatus.IN_PROGRESS
        ).first()
        if current is not None:
            return current
        raise AllowanceUsed() from None
    return sheet


# Answering


def _clean_selection(version, choice_ids):
    """The posted choice ids as a sorted list, or InvalidInput for anything not on this question."""
    try:
        selected = sorted({int(choice_id) for choice_id in choice_ids})
    except (TypeError, ValueError):
        raise InvalidInput(_("选项无效。")) from None
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
    try:
        positions = {int(position): choice_ids for position, choice_ids in answers.items()}
    except (TypeError, ValueError):
        raise InvalidInput(_("题号无效。")) from None
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
    sheet.save(update_fields=["status", "finished_at", "score", "duration_seconds"])


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


# Staff export

EXPORT_HEADER = [
    "姓名",
    "单位",
    "单位类型",
    "班级",
    "年龄段",
    "手机号",
    "第几次",
    "开始时间",
    "交卷时间",
    "得分",
    "满分",
    "用时（秒）",
    "状态",
]


def export_results_xlsx(*, sheets):
    """Results as an Excel workbook (bytes); phone numbers are masked (138****1234)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet("答卷成绩")
    worksheet.append(EXPORT_HEADER)
    for sheet in sheets.iterator(chunk_size=1000):
        participant = sheet.participant
        worksheet.append(
            [
                participant.name,
                sheet.unit.name,
                sheet.unit.get_kind_display(),
                participant.class_name,
                participant.get_age_band_display(),
                mask_phone(participant.phone) if participant.phone else "",
                sheet.attempt_number,
                timezone.localtime(sheet.started_at).strftime("%Y-%m-%d %H:%M:%S"),
                timezone.localtime(sheet.finished_at).strftime("%Y-%m-%d %H:%M:%S") if sheet.finished_at else "",
                sheet.score,
                sheet.max_score,
                sheet.duration_seconds,
                sheet.get_status_display(),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
