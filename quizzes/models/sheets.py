"""Who takes the contests and what they answered: participants, answer sheets and the questions
drawn onto each sheet (pointing at ``QuestionVersion`` snapshots, never at live questions)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.privacy import mask_name

from ..choices import AgeBand, SheetStatus
from .bank import QuestionVersion


class Participant(models.Model):
    """A person taking contests, recognised by a random token kept in a signed cookie.

    ``person_key`` (``organizations.people.person_key`` of unit, class, name and phone, the key the
    participation ledger counts) is unique, so identifying again from any browser finds the same
    participant and the allowances follow the person, not the cookie. It is null only for the
    duplicates made before it existed (the oldest of them kept the key).

    No ID numbers are ever collected; a child under 14 gives no phone number and needs a
    guardian's consent, recorded with its text version and time. A teenager of 14–17 may give a
    phone number only with that consent too.
    """

    token = models.UUIDField(_("标识"), default=uuid.uuid4, unique=True, editable=False)
    person_key = models.CharField(_("人员标识"), max_length=64, null=True, blank=True, editable=False)
    name = models.CharField(_("姓名"), max_length=30)
    unit = models.ForeignKey("organizations.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    class_name = models.CharField(_("班级"), max_length=30, blank=True)
    age_band = models.CharField(_("年龄段"), max_length=10, choices=AgeBand.choices)
    # The phone is never stored as typed: its keyed digest (organizations.people.phone_digest), so
    # a lookup by phone still finds the person, and the masked form staff see (138****1234).
    phone_digest = models.CharField(_("手机号摘要"), max_length=64, blank=True, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, blank=True, editable=False)
    guardian_consent_at = models.DateTimeField(_("监护人同意时间"), null=True, blank=True)
    guardian_consent_version = models.CharField(_("同意书版本"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("参与者")
        verbose_name_plural = _("参与者")
        constraints = [
            models.UniqueConstraint(fields=["person_key"], name="participant_person_key_unique"),
            models.CheckConstraint(
                condition=~Q(age_band=AgeBand.UNDER_14) | Q(phone_digest="", phone_masked=""),
                name="participant_no_phone_under_14",
            ),
            models.CheckConstraint(
                condition=~Q(age_band=AgeBand.UNDER_14)
                | (Q(guardian_consent_at__isnull=False) & ~Q(guardian_consent_version="")),
                name="participant_guardian_consent_under_14",
            ),
            models.CheckConstraint(
                condition=~Q(age_band=AgeBand.FROM_14_TO_17)
                | Q(phone_digest="", phone_masked="")
                | (Q(guardian_consent_at__isnull=False) & ~Q(guardian_consent_version="")),
                name="participant_phone_14_to_17_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(phone_digest="", phone_masked="")
                | (Q(phone_digest__regex=r"^[0-9a-f]{64}\Z") & Q(phone_masked__regex=r"^1[3-9][0-9]\*{4}[0-9]{4}\Z")),
                name="participant_phone_format",
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

    def rankable(self):
        """Finished sheets the public rankings show: not flagged as implausible, or confirmed by staff."""
        return self.finished().filter(Q(flagged=False) | Q(confirmed_at__isnull=False))

    def overdue(self, *, grace_seconds, now=None):
        now = now or timezone.now()
        return self.filter(status=SheetStatus.IN_PROGRESS, deadline__lt=now - timezone.timedelta(seconds=grace_seconds))


class AnswerSheet(models.Model):
    public_id = models.UUIDField(_("答卷编号"), default=uuid.uuid4, unique=True, editable=False)
    # By name: the contest pages import the selectors and views, which import this module.
    contest = models.ForeignKey(
        "quizzes.ContestPage", verbose_name=_("答题活动"), on_delete=models.PROTECT, related_name="sheets"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("参与者"), on_delete=models.PROTECT, related_name="sheets"
    )
    # Copied from the participant when the sheet starts, so rankings group without a join and
    # a later change of unit does not move past results.
    unit = models.ForeignKey("organizations.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    attempt_number = models.PositiveSmallIntegerField(_("第几次答题"))
    attempt_date = models.DateField(_("答题日期"))
    attempt_of_day = models.PositiveSmallIntegerField(_("当天第几次"))
    status = models.CharField(_("状态"), max_length=12, choices=SheetStatus.choices, default=SheetStatus.IN_PROGRESS)
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    finished_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    score = models.PositiveIntegerField(_("得分"), null=True, blank=True)
    max_score = models.PositiveIntegerField(_("满分"))
    duration_seconds = models.PositiveIntegerField(_("用时（秒）"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # The media outlet whose embed the sheet was started in (core.embedding): a participant is one
    # person across contests and sites, so the sheet is what says "took part through".
    outlet = models.ForeignKey(
        "core.MediaOutlet",
        verbose_name=_("合作媒体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answer_sheets",
    )
    # Set at grading for a high score in less than reading time; such a sheet stays out of the
    # public rankings until staff confirm it.
    flagged = models.BooleanField(_("存疑"), default=False)
    confirmed_at = models.DateTimeField(_("人工确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

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
            models.CheckConstraint(
                condition=Q(confirmed_at__isnull=True) | Q(flagged=True), name="sheet_confirmed_only_if_flagged"
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

    sheet = models.ForeignKey(AnswerSheet, verbose_name=_("答卷"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("题序"))
    version = models.ForeignKey(QuestionVersion, verbose_name=_("题目版本"), on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("分值"))
    choice_order = models.JSONField(_("选项顺序"))
    selected = models.JSONField(_("所选答案"), default=list, blank=True)
    answered_at = models.DateTimeField(_("作答时间"), null=True, blank=True)
    awarded = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)

    class Meta:
        verbose_name = _("答卷题目")
        verbose_name_plural = _("答卷题目")
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


class ExtraAttempt(models.Model):
    """One more attempt staff grant a person for a contest (say after an outage), beyond the daily
    and total allowances; the sheet that uses it is recorded, so it is used once."""

    contest = models.ForeignKey(
        "quizzes.ContestPage", verbose_name=_("答题活动"), on_delete=models.CASCADE, related_name="extra_attempts"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("参与者"), on_delete=models.CASCADE, related_name="extra_attempts"
    )
    reason = models.CharField(_("原因"), max_length=200)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(_("批准时间"), auto_now_add=True)
    used_by = models.OneToOneField(
        AnswerSheet, verbose_name=_("使用的答卷"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("补答机会")
        verbose_name_plural = _("补答机会")
        constraints = [
            # One unused grant at a time: a second click grants nothing more.
            models.UniqueConstraint(
                fields=["contest", "participant"], condition=Q(used_by__isnull=True), name="extra_attempt_one_unused"
            )
        ]

    def __str__(self):
        return f"{self.participant} · {self.contest}"
