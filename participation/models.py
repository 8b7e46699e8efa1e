"""The participation ledger: one row per thing that happened (a finished answer sheet, an event
registration or check-in, recorded attendance, a staff-entered activity), attributed to a unit and
a campaign. Reports read only this table, so every number has one definition. No names are kept:
a person is a ``person_key`` (organizations.people.person_key), and counted entries have none.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organizations.models import AudienceGroup

from .choices import UNITLESS_CHANNELS, Channel

SOURCE_MAX_LENGTH = 100
PERSON_KEY_LENGTH = 64

_CONTEST_RESULT_FIELDS = ("score", "max_score", "passed", "full_marks")


class ParticipationEntryQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)


class ParticipationEntry(models.Model):
    campaign = models.ForeignKey(
        "organizations.Campaign", verbose_name=_("宣传活动"), on_delete=models.PROTECT, related_name="+"
    )
    # Null only for a registration (and its check-in) by someone who named no unit: counted in the
    # city's totals, in no town's.
    unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participation_entries",
    )
    source = models.CharField(
        _("来源"), max_length=SOURCE_MAX_LENGTH, unique=True, help_text=_("例如 quizzes.sheet:<编号>。")
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel)
    audience = models.CharField(_("对象"), max_length=20, choices=AudienceGroup)
    person_key = models.CharField(_("人员标识"), max_length=PERSON_KEY_LENGTH, blank=True, db_index=True)
    class_name = models.CharField(_("班级"), max_length=30, blank=True)
    people = models.PositiveIntegerField(_("人数"), default=1, validators=[MinValueValidator(1)])
    occurred_at = models.DateTimeField(_("发生时间"))
    occurred_on = models.DateField(_("日期"))
    score = models.PositiveIntegerField(_("得分"), null=True, blank=True)
    max_score = models.PositiveIntegerField(_("满分"), null=True, blank=True)
    passed = models.BooleanField(_("及格"), null=True, blank=True)
    full_marks = models.BooleanField(_("满分答卷"), null=True, blank=True)
    topic_results = models.JSONField(_("各主题答对题数"), default=dict, blank=True)
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("页面"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ParticipationEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "pk"]
        verbose_name = _("参与记录")
        verbose_name_plural = _("参与记录")
        permissions = [("view_report", _("可以查看参与情况统计"))]
        indexes = [
            models.Index(fields=["campaign", "unit", "channel"], name="participation_campaign_unit"),
            models.Index(fields=["campaign", "occurred_on"], name="participation_campaign_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(people__gte=1),
                name="participation_people_positive",
                violation_error_message=_("人数至少为1。"),
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="participation_channel_valid"),
            # A person is one person; a group or a head count has no key.
            models.CheckConstraint(
                condition=Q(person_key="") | Q(people=1),
                name="participation_person_is_one",
                violation_error_message=_("有人员标识的记录只能是1人。"),
            ),
            models.CheckConstraint(
                condition=~Q(channel=Channel.CONTEST)
                | (
                    ~Q(person_key="")
                    & Q(unit__isnull=False, score__isnull=False, max_score__isnull=False, max_score__gte=1)
                    & Q(passed__isnull=False, full_marks__isnull=False)
                ),
                name="participation_contest_complete",
                violation_error_message=_("答卷记录必须有单位、人员标识和成绩。"),
            ),
            models.CheckConstraint(
                condition=Q(channel=Channel.CONTEST)
                | Q(score__isnull=True, max_score__isnull=True, passed__isnull=True, full_marks__isnull=True),
                name="participation_score_only_for_contest",
                violation_error_message=_("只有答卷记录有成绩。"),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=F("max_score")),
                name="participation_score_at_most_max",
                violation_error_message=_("得分不能超过满分。"),
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(channel__in=UNITLESS_CHANNELS),
                name="participation_unit_required",
                violation_error_message=_("只有活动报名和签到可以不填单位。"),
            ),
        ]

    def __str__(self):
        return self.source

    def clean(self):
        super().clean()
        if self.channel == Channel.CONTEST and not isinstance(self.topic_results, dict):
            raise ValidationError({"topic_results": gettext("各主题答对题数格式不正确。")})


class ActivityReport(models.Model):
    """Numbers staff enter for an activity held outside the site, e.g. 安全进校园 at 莱西市实验小学:
    1,200 students. Saved through ``services.save_activity_report``, which keeps its ledger entry."""

    campaign = models.ForeignKey(
        "organizations.Campaign", verbose_name=_("宣传活动"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "organizations.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="activity_reports"
    )
    title = models.CharField(_("活动名称"), max_length=100)
    audience = models.CharField(_("对象"), max_length=20, choices=AudienceGroup)
    people = models.PositiveIntegerField(_("参加人数"), validators=[MinValueValidator(1)])
    held_on = models.DateField(_("举办日期"))
    note = models.TextField(_("备注"), blank=True, max_length=500)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("活动上报")
        verbose_name_plural = _("活动上报")
        constraints = [
            models.CheckConstraint(
                condition=Q(people__gte=1),
                name="participation_activity_people_positive",
                violation_error_message=_("参加人数至少为1。"),
            ),
        ]

    def __str__(self):
        return f"{self.title}（{self.unit}）"

    @property
    def source(self):
        return activity_source(self.pk)

    def clean(self):
        super().clean()
        campaign = self.campaign if self.campaign_id else None
        if campaign and self.held_on and not (campaign.starts_on <= self.held_on <= campaign.ends_on):
            raise ValidationError(
                {
                    "held_on": gettext("举办日期应在宣传活动期间（%(start)s 至 %(end)s）。")
                    % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()}
                }
            )


def activity_source(pk):
    return f"participation.activity:{pk}"


# Rollups ------------------------------------------------------------------------------------
# The reports' sums per unit, kept from the ledger so a city dashboard over 200,000 sheets reads a
# few thousand rows instead of decoding every sheet's topics. They are derived data, rebuilt per
# unit: a ledger write marks its (campaign, unit) stale (``services.record_participation``), and
# ``services.refresh_rollups`` recomputes the stale units from the ledger before any report reads
# them, so a report is always exactly the ledger's figures. A report with a date range reads the
# ledger itself (distinct people over a range cannot be summed from per-unit totals), except for
# the daily trend, which the day rollup answers.


def _rollup_unique(name, *fields):
    """Unique per unit, and once more for the entries that name no unit (NULLs are distinct)."""
    return [
        models.UniqueConstraint(
            fields=["campaign", "unit", *fields], condition=Q(unit__isnull=False), name=f"{name}_unique"
        ),
        models.UniqueConstraint(
            fields=["campaign", *fields], condition=Q(unit__isnull=True), name=f"{name}_unique_no_unit"
        ),
    ]


class RollupBase(models.Model):
    campaign = models.ForeignKey("organizations.Campaign", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("organizations.Unit", null=True, on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=20, choices=AudienceGroup)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.campaign_id}/{self.unit_id or '-'}/{self.audience}"


class ChannelRollup(RollupBase):
    """Per unit, audience and channel: entries, people, distinct keyed people and the sheets' scores."""

    channel = models.CharField(max_length=20, choices=Channel)
    rows = models.PositiveIntegerField()
    people = models.PositiveIntegerField()
    keyed_people = models.PositiveIntegerField()
    score_percent_total = models.FloatField()
    passed_rows = models.PositiveIntegerField()
    full_marks_rows = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("参与汇总（渠道）")
        constraints = _rollup_unique("participation_channelrollup", "audience", "channel")


class ReachRollup(RollupBase):
    """Per unit and audience: the people reached (distinct keys across the participation channels
    plus the people of counted entries), which cannot be summed from the channels."""

    participants = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("参与汇总（人数）")
        constraints = _rollup_unique("participation_reachrollup", "audience")


class DayRollup(RollupBase):
    """Per unit, audience, channel and day: entries and people, for the daily trend."""

    channel = models.CharField(max_length=20, choices=Channel)
    occurred_on = models.DateField()
    rows = models.PositiveIntegerField()
    people = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("参与汇总（每日）")
        constraints = _rollup_unique("participation_dayrollup", "audience", "channel", "occurred_on")


class TopicRollup(RollupBase):
    """Per unit, audience and topic: questions answered correctly out of those asked."""

    topic_id = models.PositiveIntegerField()
    correct = models.PositiveIntegerField()
    total = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("参与汇总（主题）")
        constraints = [
            *_rollup_unique("participation_topicrollup", "audience", "topic_id"),
            models.CheckConstraint(condition=Q(correct__lte=F("total")), name="participation_topicrollup_correct"),
        ]


class StaleRollup(models.Model):
    """A (campaign, unit) whose rollups no longer match the ledger. ``unit_key`` is the unit's id,
    0 for the entries that name no unit (a plain integer, so the pair can be unique)."""

    campaign = models.ForeignKey("organizations.Campaign", on_delete=models.CASCADE, related_name="+")
    unit_key = models.PositiveBigIntegerField()
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("待更新的参与汇总")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit_key"], name="participation_stale_unique")]

    def __str__(self):
        return f"{self.campaign_id}/{self.unit_key}"
