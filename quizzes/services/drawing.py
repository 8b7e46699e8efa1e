"""Starting a sheet: resuming the one in progress, or drawing a new paper within the allowances."""

import random
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import QuestionKind, SheetStatus
from ..errors import AllowanceUsed, ContestNotOpen, PaperUnavailable, UnitNotAllowed
from ..models.sheets import AnswerSheet, ExtraAttempt, SheetQuestion
from .answering import GRACE_SECONDS, finalise_sheet
from .blueprint import contest_blueprint
from .participants import check_roster


def _draw(*, blueprint, rng):
    """[(slot, points)] for a new sheet: fixed questions first, then each draw rule in order, each
    rule's picks in the bank's order (the pool as the rule saw it, without what was taken)."""
    chosen = list(blueprint.fixed)
    taken = {slot.question_id for slot, _points in chosen}
    for count, points, pool in blueprint.rules:
        candidates = [slot for slot in pool if slot.question_id not in taken]
        if len(candidates) < count:
            raise PaperUnavailable()
        picked = {slot.question_id for slot in rng.sample(candidates, count)}
        taken.update(picked)
        chosen.extend((slot, points) for slot in candidates if slot.question_id in picked)
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
    # The blueprint is built (its versions snapshotted) outside the sheet's transaction: concurrent
    # starts creating the same new versions inside their transactions deadlocked.
    paper = _draw(blueprint=contest_blueprint(contest=contest), rng=rng)
    if contest.shuffle_questions:
        rng.shuffle(paper)
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
                max_score=sum(points for _slot, points in paper),
                ip_address=ip_address,
                outlet=outlet,
            )
            rows = []
            for position, (slot, points) in enumerate(paper, start=1):
                order = list(slot.choice_ids)
                if contest.shuffle_choices and slot.kind != QuestionKind.TRUE_FALSE:
                    rng.shuffle(order)
                rows.append(
                    SheetQuestion(
                        sheet=sheet, position=position, version_id=slot.version_id, points=points, choice_order=order
                    )
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
