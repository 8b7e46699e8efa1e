"""Starting a sheet: resuming the one in progress, or drawing a new paper within the allowances."""

import random
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import QuestionKind, SheetStatus
from ..errors import AllowanceUsed, ContestNotOpen, PaperUnavailable, UnitNotAllowed
from ..models.bank import Question
from ..models.sheets import AnswerSheet, ExtraAttempt, SheetQuestion
from .answering import GRACE_SECONDS, finalise_sheet
from .bank import snapshot_question
from .participants import check_roster


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


def start_answer_sheet(*, contest, participant, ip_address=None, outlet=None, now=None, rng=None):
    """The participant's sheet for ``contest``: the one in progress if there is one (a reload or a
    second tab resumes it), otherwise a new one drawn now, within the daily and total allowances.
    ``outlet`` is the media outlet whose embed it is started in; a resumed sheet keeps its own."""
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
    check_roster(
        unit=participant.unit,
        name=participant.name,
        class_name=participant.class_name,
        by_class=contest.ask_class_name,
    )

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
            refusal = None
            if attempts >= contest.attempts_total:
                refusal = _("每人最多可答 %(n)s 次，你的次数已用完。") % {"n": contest.attempts_total}
            elif today_attempts >= contest.attempts_per_day:
                refusal = _("每人每天最多可答 %(n)s 次，请明天再来。") % {"n": contest.attempts_per_day}
            grant = None
            if refusal is not None:
                # An extra attempt staff granted goes beyond both allowances, once.
                grant = (
                    ExtraAttempt.objects.select_for_update()
                    .filter(contest=contest, participant=participant, used_by__isnull=True)
                    .first()
                )
                if grant is None:
                    raise AllowanceUsed(refusal)
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
                outlet=outlet,
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
            if grant is not None:
                grant.used_by = sheet
                grant.save(update_fields=["used_by"])
    except IntegrityError:
        # A concurrent start for the same participant won the race for this attempt number.
        current = AnswerSheet.objects.filter(
            contest=contest, participant=participant, status=SheetStatus.IN_PROGRESS
        ).first()
        if current is not None:
            return current
        raise AllowanceUsed() from None
    return sheet
