"""The question bank: questions with their inline choices, and the immutable versions sheets draw.

Grading never reads a live Question: a sheet's questions point at a ``QuestionVersion`` snapshot
taken when the sheet was drawn, so editing an active question cannot change how past sheets
were graded.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index

from ..choices import Difficulty, Level, QuestionKind, QuestionStatus
from ..forms import QuestionForm


class QuestionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=QuestionStatus.ACTIVE)


class Question(index.Indexed, ClusterableModel):
    key = models.SlugField(_("题号"), max_length=40, unique=True, help_text=_("导入导出时识别题目，如 gas-001。"))
    kind = models.CharField(_("题型"), max_length=12, choices=QuestionKind.choices)
    topic = models.ForeignKey("home.Topic", verbose_name=_("主题"), on_delete=models.PROTECT, related_name="questions")
    level = models.CharField(_("适用对象"), max_length=12, choices=Level.choices)
    difficulty = models.PositiveSmallIntegerField(_("难度"), choices=Difficulty.choices, default=Difficulty.EASY)
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
        InlinePanel(
            "choices",
            label=_("选项"),
            min_num=2,
            max_num=6,
            help_text=_("已启用题目的正确答案一经修改，会连同修改前后的答案记入操作日志（可在“历史记录”中查看）。"),
        ),
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

    question = models.ForeignKey(Question, verbose_name=_("题目"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    content = models.JSONField(_("内容"))
    fingerprint = models.CharField(_("内容指纹"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("题目版本")
        verbose_name_plural = _("题目版本")
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="question_version_number_unique"),
            models.UniqueConstraint(fields=["question", "fingerprint"], name="question_version_content_unique"),
        ]

    def __str__(self):
        return f"{self.question.key} v{self.number}"

    @property
    def correct_ids(self):
        return {choice["id"] for choice in self.content["choices"] if choice["correct"]}
