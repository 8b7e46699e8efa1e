"""Question bank, contests (one Wagtail page each) and answer sheets.

Grading never reads a live Question: a sheet's questions point at an immutable
``QuestionVersion`` snapshot taken when the sheet was drawn, so editing an active question
cannot change how past sheets were graded.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from organizations.models import UnitKind

from .choices import AgeBand, AnswerReveal, Level, MultipleChoiceScoring, QuestionKind, QuestionStatus, SheetStatus
from .forms import ContestPageForm, QuestionForm


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=QuestionStatus.ACTIVE)


class Question(index.Indexed, ClusterableModel):
    key = models.SlugField(_("题号"), max_length=40, unique=True, help_text=_("导入导出时识别题目，如 gas-001。"))
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    topic = models.ForeignKey("home.Topic", verbose_name=_("主题"), on_delete=models.PROTECT, related_name="questions")
    level = models.CharField(_("适用对象"), max_length=12, choices=Level.choices)
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)], help_text=_("1 易，2 中，3 难。")
    )
    stem = models.TextField(_("题干"))
    stem_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("题干图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    stem_image_alt = models.CharField(_("图片替代文字"), max_length=200, blank=True)
    explanation = models.TextField(_("解析"), blank=True)
    article = models.ForeignKey(
        "home.ArticlePage",
        verbose_name=_("相关文章"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.DRAFT)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = QuestionQuerySet.as_manager()
    base_form_class = QuestionForm

    panels = [
        FieldRowPanel([FieldPanel("key"), FieldPanel("kind"), FieldPanel("status")]),
        FieldRowPanel([FieldPanel("topic"), FieldPanel("level"), FieldPanel("difficulty")]),
        FieldPanel("stem"),
        FieldRowPanel([FieldPanel("stem_image"), FieldPanel("stem_image_alt")]),
        InlinePanel("choices", label=_("选项"), min_num=2, max_num=6),
        FieldPanel("explanation"),
        FieldPanel("article"),
    ]
    search_fields = [
        index.SearchField("stem"),
        index.SearchField("explanation"),
        index.AutocompleteField("key"),
        index.FilterField("status"),
        index.FilterField("kind"),
        index.FilterField("level"),
    ]

    class Meta:
        ordering = ["key"]
        verbose_name = _("题目")
        verbose_name_plural = _("题库")
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=3), name="question_difficulty_1_to_3"
            ),
            models.CheckConstraint(condition=Q(kind__in=QuestionKind.values), name="question_kind_known"),
        ]

    def __str__(self):
        return f"{self.key}：{self.stem[:30]}"

    def clean(self):
        super().clean()
        if self.stem_image_id and not self.stem_image_alt:
            raise ValidationError({"stem_image_alt": _("请为题干图片填写替代文字。")})


class Choice(Orderable):
    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("选项内容"), max_length=200)
    is_correct = models.BooleanField(_("正确答案"), default=False)

    panels = [FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct")])]

    class Meta(Orderable.Meta):
        verbose_name = _("选项")

    def __str__(self):
        return self.text


class QuestionVersion(models.Model):
    """An immutable copy of a question as it was when a sheet drew it.

    ``content`` holds ``{"kind", "stem", "explanation", "article_id", "choices": [{"id", "text",
    "correct"}]}``; choice ids are stable within a version and are what the browser posts.
    """

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("题目版本")
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique"),
            models.UniqueConstraint(fields=["question", "fingerprint"], name="question_version_content_unique"),
        ]

    def __str__(self):
        return f"{self.question.key} v{self.number}"

    @property
    def correct_ids(self):
        return {choice["id"] for choice in self.content["choices"] if choice["correct"]}


class ContestIndexPage(Page):
    intro = models.TextField(_("简介"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["quizzes.ContestPage"]

    class Meta:
        verbose_name = _("答卷活动列表")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["contests"] = selectors.contests(root=self)
        return context


def _default_unit_kinds():
    return [UnitKind.SCHOOL]


class ContestPage(RoutablePageMixin, Page):
    """One 安全知识答卷: its rules, its paper blueprint and the participant flow."""

    intro = models.TextField(_("活动简介"), max_length=500)
    rules = RichTextField(_("答题规则"), features=["bold", "ol", "ul", "link"], blank=True)
    opens_at = models.DateTimeField(_("开始时间"))
    closes_at = models.DateTimeField(_("结束时间"))
    time_limit_seconds = models.PositiveIntegerField(
        _("答题限时（秒）"), default=600, validators=[MinValueValidator(30), MaxValueValidator(4 * 3600)]
    )
    attempts_per_day = models.PositiveSmallIntegerField(
        _("每人每天可答次数"), default=1, validators=[MinValueValidator(1)]
    )
    attempts_total = models.PositiveSmallIntegerField(
        _("每人总共可答次数"), default=3, validators=[MinValueValidator(1)]
    )
    shuffle_questions = models.BooleanField(_("题目乱序"), default=True)
    shuffle_choices = models.BooleanField(_("选项乱序"), default=True)
    multiple_scoring = models.CharField(
        _("不定项计分"),
        max_length=20,
        choices=MultipleChoiceScoring.choices,
        default=MultipleChoiceScoring.ALL_OR_NOTHING,
    )
    pass_mark = models.PositiveSmallIntegerField(_("合格分（百分制）"), default=60, validators=[MaxValueValidator(100)])
    good_mark = models.PositiveSmallIntegerField(_("良好分（百分制）"), default=80, validators=[MaxValueValidator(100)])
    excellent_mark = models.PositiveSmallIntegerField(
        _("优秀分（百分制）"), default=90, validators=[MaxValueValidator(100)]
    )
    reveal_answers = models.CharField(
        _("答案与解析公布"), max_length=20, choices=AnswerReveal.choices, default=AnswerReveal.AFTER_SUBMIT
    )
    allowed_unit_kinds = models.JSONField(_("可参加的单位类型"), default=_default_unit_kinds)
    ask_class_name = models.BooleanField(_("询问班级"), default=True)
    ask_phone = models.BooleanField(_("询问手机号（14 岁以下不收集）"), default=False)
    consent_text = models.TextField(
        _("监护人同意书"),
        default="我是该学生的监护人，已阅读并同意孩子参加本次安全知识答卷，并同意主办单位为统计参与情况保存孩子的姓名、学校和班级。",
    )
    consent_version = models.CharField(_("同意书版本"), max_length=20, default="2026-1")

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("rules"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel(
                    [FieldPanel("time_limit_seconds"), FieldPanel("attempts_per_day"), FieldPanel("attempts_total")]
                ),
            ],
            heading=_("时间与次数"),
        ),
        MultiFieldPanel(
            [
                InlinePanel("draw_rules", label=_("抽题规则")),
                InlinePanel("fixed_questions", label=_("固定题目")),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
                FieldPanel("multiple_scoring"),
            ],
            heading=_("试卷"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("good_mark"), FieldPanel("excellent_mark")]),
                FieldPanel("reveal_answers"),
            ],
            heading=_("成绩"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("allowed_unit_kinds"),
                FieldRowPanel([FieldPanel("ask_class_name"), FieldPanel("ask_phone")]),
                FieldPanel("consent_text"),
                FieldPanel("consent_version"),
            ],
            heading=_("参与者"),
        ),
    ]

    base_form_class = ContestPageForm
    parent_page_types = ["quizzes.ContestIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("安全知识答卷")

    def clean(self):
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("结束时间必须晚于开始时间。")
        if self.attempts_total < self.attempts_per_day:
            errors["attempts_total"] = _("总次数不能少于每天次数。")
        if not self.pass_mark <= self.good_mark <= self.excellent_mark:
            errors["good_mark"] = _("应满足：合格分 ≤ 良好分 ≤ 优秀分。")
        if not self.allowed_unit_kinds or not set(self.allowed_unit_kinds) <= set(UnitKind.values):
            errors["allowed_unit_kinds"] = _("请至少选择一种可参加的单位类型。")
        if errors:
            raise ValidationError(errors)

    def is_open(self, at=None):
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at

    def band_for(self, percent):
        if percent >= self.excellent_mark:
            return _("优秀")
        if percent >= self.good_mark:
            return _("良好")
        if percent >= self.pass_mark:
            return _("合格")
        return _("不合格")

    def reveals_answers(self, at=None):
        if self.reveal_answers == AnswerReveal.AFTER_SUBMIT:
            return True
        if self.reveal_answers == AnswerReveal.AFTER_CLOSE:
            return (at or timezone.now()) >= self.closes_at
        return False

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.contest_landing(contest=self, request=request))
        return context

    # The participant flow lives under the contest's own URL (quizzes/views.py).

    def _flow(self, view_name, request, *args):
        from . import views  # imported here: views import the selectors, which import these models

        return getattr(views, view_name)(request, self, *args)

    @path("")
    def landing(self, request):
        response = self.render(request)
        # The landing page greets a returning participant by name: never share it from a cache.
        add_never_cache_headers(response)
        return response

    @path("identify/")
    def identify(self, request):
        return self._flow("identify", request)

    @path("start/")
    def start(self, request):
        return self._flow("start", request)

    @path("sheet/<uuid:public_id>/")
    def sheet(self, request, public_id):
        return self._flow("sheet", request, public_id)

    @path("sheet/<uuid:public_id>/result/")
    def result(self, request, public_id):
        return self._flow("result", request, public_id)

    @path("rankings/")
    def rankings(self, request):
        return self._flow("rankings", request)


class DrawRule(Orderable):
    """Draw ``count`` active questions matching kind/topic/level, worth ``points`` each."""

    contest = ParentalKey(ContestPage, on_delete=models.CASCADE, related_name="draw_rules")
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices, blank=True)
    topic = models.ForeignKey("home.Topic", verbose_name=_("主题"), null=True, blank=True, on_delete=models.PROTECT)
    level = models.CharField(_("适用对象"), max_length=12, choices=Level.choices, blank=True)
    count = models.PositiveSmallIntegerField(_("题数"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    points = models.PositiveSmallIntegerField(_("每题分值"), default=10, validators=[MinValueValidator(1)])

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("topic"), FieldPanel("level")]),
        FieldRowPanel([FieldPanel("count"), FieldPanel("points")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("抽题规则")
        constraints = [models.CheckConstraint(condition=Q(count__gte=1, points__gte=1), name="draw_rule_positive")]


class FixedQuestion(Orderable):
    contest = ParentalKey(ContestPage, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(Question, verbose_name=_("题目"), on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(_("分值"), default=10, validators=[MinValueValidator(1)])

    panels = [FieldRowPanel([FieldPanel("question"), FieldPanel("points")])]

    class Meta(Orderable.Meta):
        verbose_name = _("固定题目")
        constraints = [models.UniqueConstraint(fields=["contest", "question"], name="fixed_question_once_per_contest")]


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
                condition=Q(phone="") | Q(phone__regex=r"^1[3-9][0-9]{9}$"), name="participant_phone_format"
            ),
        ]

    def __str__(self):
        return self.name


class AnswerSheetQuerySet(models.QuerySet):
    def finished(self):
        return self.exclude(status=SheetStatus.IN_PROGRESS)

    def overdue(self, *, grace_seconds, now=None):
        now = now or timezone.now()
        return self.filter(status=SheetStatus.IN_PROGRESS, deadline__lt=now - timezone.timedelta(seconds=grace_seconds))


class AnswerSheet(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contest = models.ForeignKey(ContestPage, on_delete=models.PROTECT, related_name="sheets")
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
