"""Staff decisions on a contest's sheets and people, each written to the audit log: confirming a
sheet flagged as implausible (it then counts in the rankings) and granting one extra attempt."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..errors import AlreadyGranted, InvalidInput, SheetNotFound
from ..models.sheets import AnswerSheet, ExtraAttempt
from ..selectors import ranking_cache_key

CONFIRM_ACTION = "quizzes.sheet.confirm"
GRANT_ACTION = "quizzes.attempt.grant"


def _label(participant, contest):
    # Audit entries are read by every admin: the masked name, as in the staff lists.
    return f"{participant.masked_name} · {contest.title}"


def confirm_sheet(*, contest, public_id, user, now=None):
    """Count a flagged sheet in the public rankings. Confirming again changes nothing."""
    with transaction.atomic():
        sheet = (
            AnswerSheet.objects.select_for_update()
            .select_related("participant")
            .filter(contest=contest, public_id=public_id, flagged=True)
            .first()
        )
        if sheet is None:
            raise SheetNotFound()
        if sheet.confirmed_at is not None:
            return sheet
        sheet.confirmed_at = now or timezone.now()
        sheet.confirmed_by = user
        sheet.save(update_fields=["confirmed_at", "confirmed_by"])
        log(
            instance=sheet,
            action=CONFIRM_ACTION,
            user=user,
            title=_label(sheet.participant, contest),
            data={"contest": contest.pk, "score": sheet.score, "duration_seconds": sheet.duration_seconds},
        )
    cache.delete(ranking_cache_key(contest.pk))
    return sheet


def grant_extra_attempt(*, contest, participant, user, reason):
    """One more attempt for ``participant`` in ``contest``, beyond the daily and total allowances."""
    grant = ExtraAttempt(contest=contest, participant=participant, granted_by=user, reason=(reason or "").strip())
    try:
        grant.full_clean(exclude=["contest", "participant", "granted_by"], validate_constraints=False)
    except ValidationError:
        raise InvalidInput(_("请填写补答原因（不超过 200 字）。")) from None
    try:
        with transaction.atomic():
            grant.save()
            log(
                instance=grant,
                action=GRANT_ACTION,
                user=user,
                title=_label(participant, contest),
                data={"contest": contest.pk, "participant": participant.pk, "reason": grant.reason},
            )
    except IntegrityError:
        raise AlreadyGranted() from None
    return grant
