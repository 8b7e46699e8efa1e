"""The fixed vocabularies of the contests app (kept apart so validation can use them without models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选题")
    MULTIPLE = "multiple", _("不定项选择题")
    TRUE_FALSE = "truefalse", _("判断题")


class Level(models.TextChoices):
    PRIMARY = "primary", _("小学")
    SECONDARY = "secondary", _("中学")
    ADULT = "adult", _("成人")


class Difficulty(models.IntegerChoices):
    # Stored as 1-3 (a check constraint keeps it there); staff read and type the words.
    EASY = 1, _("简单")
    MEDIUM = 2, _("中等")
    HARD = 3, _("困难")


class QuestionStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("启用")
    RETIRED = "retired", _("停用")


class MultipleChoiceScoring(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("全部选对才得分")
    PER_OPTION = "per_option", _("按选项比例得分（选错不得分）")


class AnswerReveal(models.TextChoices):
    AFTER_SUBMIT = "after_submit", _("交卷后立即公布")
    AFTER_CLOSE = "after_close", _("活动结束后公布")
    NEVER = "never", _("不公布")


class AgeBand(models.TextChoices):
    UNDER_14 = "under14", _("14 岁以下")
    FROM_14_TO_17 = "14to17", _("14–17 岁")
    ADULT = "adult", _("18 岁及以上")


class SheetStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("答题中")
    SUBMITTED = "submitted", _("已交卷")
    TIMED_OUT = "timed_out", _("超时自动交卷")
