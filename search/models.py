import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from .chinese import split_words

# Staff type the equivalents as a list; any of these separates them.
EQUIVALENT_SEPARATORS = re.compile(r"[,，、;；\s]+")
MAX_WORD_LENGTH = 32


def split_equivalents(text):
    return [word for word in EQUIVALENT_SEPARATORS.split(text or "") if word]


def _single_word(value):
    """The one query word ``value`` is (normalised as queries are), or None if it is several or none."""
    words = list(split_words(value))
    return words[0].lower() if len(words) == 1 and re.search(r"\w", words[0]) else None


class SearchSynonym(models.Model):
    """A word readers search for and the words the articles use for it (电动车 → 电动自行车).

    One way only: searching the term also finds its equivalents, not the reverse; add a second entry
    for the other direction. Applied at query time, so a change works at once, without re-indexing.
    """

    term = models.CharField(_("搜索词"), max_length=MAX_WORD_LENGTH, help_text=_("读者会输入的词，如“电动车”。"))
    equivalents = models.CharField(
        _("同义词"),
        max_length=200,
        help_text=_("文章里的说法，用顿号或逗号分隔，如“电动自行车、电瓶车”。搜索“搜索词”时也会找到含这些词的内容。"),
    )

    panels = [FieldPanel("term"), FieldPanel("equivalents")]

    class Meta:
        ordering = ["term"]
        verbose_name = _("搜索同义词")
        verbose_name_plural = _("搜索同义词")
        constraints = [
            models.CheckConstraint(condition=~models.Q(term=""), name="search_synonym_term_not_blank"),
            models.CheckConstraint(condition=~models.Q(equivalents=""), name="search_synonym_equivalents_not_blank"),
            models.UniqueConstraint(
                Lower("term"),
                name="search_synonym_term_unique_ignoring_case",
                violation_error_message=_("这个搜索词已经设置过同义词，请直接修改那一条。"),
            ),
        ]

    def __str__(self):
        return f"{self.term} → {'、'.join(self.equivalent_list)}"

    @property
    def equivalent_list(self):
        return split_equivalents(self.equivalents)

    def clean(self):
        super().clean()
        errors = {}
        term = _single_word(self.term or "")
        if term is None:
            errors["term"] = _("搜索词须是一个词：不含空格和标点。")
        else:
            self.term = term
        words = []
        for word in split_equivalents(self.equivalents):
            single = _single_word(word)
            if single is None or len(single) > MAX_WORD_LENGTH:
                errors["equivalents"] = _("“%(word)s”不是一个词：每个同义词不含空格和标点，最多 32 个字。") % {
                    "word": word[:40]
                }
                break
            if single != term and single not in words:
                words.append(single)
        if "equivalents" not in errors:
            if not words:
                errors["equivalents"] = _("请至少填写一个与搜索词不同的同义词。")
            else:
                self.equivalents = "、".join(words)
        if errors:
            raise ValidationError(errors)
