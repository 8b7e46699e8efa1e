"""Contests: the list page, and one Wagtail page per 安全知识答卷 with its paper blueprint.

The pages import the views and selectors at module level. Neither of those imports this module:
they read the sheet and bank models from ``sheets`` and ``bank``, and look ``ContestPage`` up
when called.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from organizations.models import UnitKind

from .. import selectors, views
from ..choices import AnswerReveal, Level, MultipleChoiceScoring, QuestionKind
from ..forms import ContestPageForm
from .bank import Question


class ContestIndexPage(Page):
    intro = models.TextField(_("简介"), blank=True, max_length=500)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["quizzes.ContestPage"]

    class Meta:
        verbose_name = _("答卷活动列表")

    def get_context(self, request, *args, **kwargs):
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
        _("答案与解析公布"),
        max_length=20,
        choices=AnswerReveal.choices,
        default=AnswerReveal.AFTER_SUBMIT,
        help_text=_(
            "公布前，成绩页只显示得分和等级，不显示每题对错。注意：选“交卷后立即公布”时，每份答卷交卷后"
            "即可看到每题对错和正确答案，多人或多次作答就能拼出整个题库的答案，只适合练习或题库远大于试卷的活动。"
        ),
    )
    allowed_unit_kinds = models.JSONField(_("可参加的单位类型"), default=_default_unit_kinds)
    ask_class_name = models.BooleanField(_("询问班级"), default=True)
    ask_phone = models.BooleanField(_("询问手机号（14 岁以下不收集）"), default=False)
    consent_text = models.TextField(
        _("监护人同意书"),
        default="我是该学生的监护人，已阅读并同意孩子参加本次安全知识答卷，并同意主办单位为统计参与情况保存孩子的姓名、学校和班级。",
    )
    consent_version = models.CharField(_("同意书版本"), max_length=20, default="2026-1")
    # Which campaign's participation figures this contest's sheets count towards.
    campaign = models.ForeignKey(
        "organizations.Campaign",
        verbose_name=_("宣传活动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contest_pages",
    )

    content_panels = Page.content_panels + [
        FieldPanel("campaign"),
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
    # An outlet's frame holds the whole participant flow, route by route (core.embedding).
    embed_routes = True

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

    # The participant flow lives under the contest's own URL; each route is a view in quizzes/views.py.

    @path("")
    def landing(self, request):
        return views.landing(request, self)

    @path("identify/")
    def identify(self, request):
        return views.identify(request, self)

    @path("forget/")
    def forget(self, request):
        return views.forget(request, self)

    @path("start/")
    def start(self, request):
        return views.start(request, self)

    @path("sheet/<uuid:public_id>/")
    def sheet(self, request, public_id):
        return views.sheet(request, self, public_id)

    @path("sheet/<uuid:public_id>/result/")
    def result(self, request, public_id):
        return views.result(request, self, public_id)

    @path("sheet/<uuid:public_id>/certificate/")
    def certificate(self, request, public_id):
        return views.certificate(request, self, public_id)

    @path("sheet/<uuid:public_id>/certificate/pdf/")
    def certificate_pdf(self, request, public_id):
        return views.certificate_pdf(request, self, public_id)

    @path("sheet/<uuid:public_id>/certificate/png/")
    def certificate_png(self, request, public_id):
        return views.certificate_png(request, self, public_id)

    @path("rankings/")
    def rankings(self, request):
        return views.rankings(request, self)


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
