"""Who takes the contests and what they answered: participants, answer sheets and the questions
drawn onto each sheet (pointing at ``QuestionVersion`` snapshots, never at live questions)."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.privacy import MOBILE_PHONE_REGEX, mask_name

from ..choices import AgeBand, SheetStatus
from .bank import QuestionVersion


class Participant(models.Model):
    """A person taking contests, recognised by a random token kept in a signed cookie.

    No ID numbers are ever collected; a child under 14 gives no phone number and needs a
    guardian's consent, recorded with its text version and time.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=30)
    unit = models.ForeignKey("organizations.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    class_name = models.CharField(_("班级"), max_length=30, blank=True)
    age_band = models.CharField(_("年龄段"), max_length=10, choices=AgeBand.choices)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    guardian_consent_at = models.DateTimeField(_("监护人同意时间"), null=True, blank=True)
    guardian_consent_version = models.CharField(_("同意书版本"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("参与者")
        verbose_name_plural = _("参与者")
        constraints = [
            models.CheckConstraint(
                condition=~Q(age_band=AgeBand.UNDER_14) | Q(phone=""), name="participant_no_phone_under_14"
            ),
            models.CheckConstraint(
                condition=~Q(age_band=AgeBand.UNDER_14)
                | (Q(guardian_consent_at__isnull=False) & ~Q(guardian_consent_version="")),
                name="participant_guardian_consent_under_14",
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone__regex=MOBILE_PHONE_REGEX), name="participant_phone_format"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def masked_name(self):
        """The name as staff lists and exports show it (张*明): no staff role is cleared for
        participants' full names."""
        return mask_name(self.name)


class AnswerSheetQuerySet(models.QuerySet):
    def finished(self):
        return self.exclude(status=SheetStatus.IN_PROGRESS)

    def overdue(self, *, grace_seconds, now=None):
        now = now or timezone.now()
        return self.filter(status=SheetStatus.IN_PROGRESS, deadline__lt=now - timezone.timedelta(seconds=grace_seconds))


class AnswerSheet(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # By name: the contest pages import the selectors and views, which import this module.
    contest = models.ForeignKey("quizzes.ContestPage", on_delete=models.PROTECT, related_name="sheets")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="sheets")
    # Copied from the participant when the sheet starts, so rankings group without a join and
    # a later change of unit does not move past results.
    unit = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    attempt_number = models.PositiveSmallIntegerField()
    attempt_date = models.DateField()
    attempt_of_day = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=SheetStatus.choices, default=SheetStatus.IN_PROGRESS)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveIntegerField(null=True, blank=True)
    max_score = models.PositiveIntegerField()
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AnswerSheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        indexes = [
            models.Index(fields=["contest", "status", "-score", "duration_seconds"], name="sheet_ranking"),
            models.Index(fields=["status", "deadline"], name="sheet_overdue"),
        ]
        constraints = [
            # The allowances are enforced here, not only in Python: two concurrent starts compute the
            # same next number and one of them fails.
            models.UniqueConstraint(fields=["contest", "participant", "attempt_number"], name="sheet_attempt_unique"),
            models.UniqueConstraint(
                fields=["contest", "participant", "attempt_date", "attempt_of_day"], name="sheet_daily_attempt_unique"
            ),
            models.UniqueConstraint(
                fields=["contest", "participant"],
                condition=Q(status=SheetStatus.IN_PROGRESS),
                name="sheet_one_in_progress",
            ),
            models.CheckConstraint(condition=Q(deadline__gt=models.F("started_at")), name="sheet_deadline_after_start"),
            models.CheckConstraint(
                condition=Q(status=SheetStatus.IN_PROGRESS)
                | (Q(finished_at__isnull=False) & Q(score__isnull=False) & Q(duration_seconds__isnull=False)),
                name="sheet_finished_has_result",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=models.F("max_score")), name="sheet_score_at_most_max"
            ),
        ]

    def __str__(self):
        return f"{self.participant} · {self.contest}"

    @property
    def is_finished(self):
        return self.status != SheetStatus.IN_PROGRESS

    @property
    def percent(self):
        return round(100 * self.score / self.max_score) if self.score is not None and self.max_score else 0


class SheetQuestion(models.Model):
    """One question on one sheet, in the order and choice order this participant sees, with
    the saved answer."""

    sheet = models.ForeignKey(AnswerSheet, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField()
    choice_order = models.JSONField()
    selected = models.JSONField(default=list, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    awarded = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "position"], name="sheet_question_position_unique"),
            models.UniqueConstraint(fields=["sheet", "version"], name="sheet_question_once"),
            models.CheckConstraint(
                condition=Q(awarded__isnull=True) | Q(awarded__lte=models.F("points")),
                name="sheet_question_awarded_le_points",
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id} #{self.position}"
