"""Import and export of the question bank (.xlsx or .csv), with the same rules as units: every bad
row is reported with its line, column and reason, and a file with any error imports nothing.

Template (first row; columns in any order): 题号、题型、主题、适用对象、难度、题干、选项A … 选项F、
答案、解析、相关文章、状态. 难度 is 简单/中等/困难 (or 1/2/3, blank: 简单). 答案 is the letters of the correct options (B, ACD); a 判断题 may say
正确 or 错误 instead. 主题 is a topic's name, 相关文章 an article's slug or blank, 状态 草稿/启用/停用.
"""

import string

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.spreadsheets import (
    ImportResult,
    RejectedFile,
    RowError,
    choice_words,
    read_table,
    rejected_result,
    validation_errors,
    write_rows,
)
from home.models import ArticlePage, Topic

from .choices import Difficulty, Level, QuestionKind, QuestionStatus
from .models.bank import Question
from .services.bank import answer_texts, log_answer_change, save_question
from .validation import validate_choices

OPTION_LETTERS = string.ascii_uppercase[:6]
OPTION_COLUMNS = [f"选项{letter}" for letter in OPTION_LETTERS]
COLUMNS = ["题号", "题型", "主题", "适用对象", "难度", "题干", *OPTION_COLUMNS, "答案", "解析", "相关文章", "状态"]
FIELD_COLUMNS = {
    "key": "题号",
    "kind": "题型",
    "topic": "主题",
    "level": "适用对象",
    "difficulty": "难度",
    "stem": "题干",
    "explanation": "解析",
    "article": "相关文章",
    "status": "状态",
}
TRUE_FALSE_WORDS = {"正确": "A", "对": "A", "√": "A", "错误": "B", "错": "B", "×": "B"}


def _kind_words():
    words = choice_words(QuestionKind)
    words.update({"单选": QuestionKind.SINGLE, "多选": QuestionKind.MULTIPLE, "不定项": QuestionKind.MULTIPLE})
    words.update({"判断": QuestionKind.TRUE_FALSE})
    return words


def _difficulty_words():
    """简单/中等/困难, and the numbers 1-3 that files written before the words still carry."""
    words = {str(label): value for value, label in Difficulty.choices}
    words.update({str(value): value for value in Difficulty.values})
    return words


STATE_FIELDS = ["kind", "level", "status", "topic_id", "difficulty", "article_id", "stem", "explanation"]


def _state(question, choices):
    """What an import can change, to tell an unchanged row from an update."""
    return [getattr(question, name) for name in STATE_FIELDS], list(choices)


def _parse_row(line, record, *, topics, articles, existing):
    """(Question with the row's values, [(text, correct)], [RowError]); ``existing`` maps 题号 to
    the stored questions, choices prefetched."""
    errors = []

    def fail(column, message):
        errors.append(RowError(line, column, message))

    kind = _kind_words().get(record["题型"])
    if kind is None:
        fail("题型", _("题型应为：单选题、不定项选择题或判断题。"))
    level = choice_words(Level).get(record["适用对象"])
    if level is None:
        fail("适用对象", _("适用对象应为：小学、中学或成人。"))
    status = choice_words(QuestionStatus).get(record["状态"] or QuestionStatus.ACTIVE.label)
    if status is None:
        fail("状态", _("状态应为：草稿、启用或停用。"))
    topic = topics.get(record["主题"])
    if topic is None:
        fail("主题", _("没有这个主题：“%(name)s”。") % {"name": record["主题"]})
    difficulty = _difficulty_words().get(record["难度"] or Difficulty.EASY.label)
    if difficulty is None:
        fail("难度", _("难度应为：简单、中等或困难（也可填 1、2、3），现在是“%(text)s”。") % {"text": record["难度"]})
    article_id = None
    if record["相关文章"]:
        article_id = articles.get(record["相关文章"])
        if article_id is None:
            fail("相关文章", _("没有这篇文章：“%(slug)s”。") % {"slug": record["相关文章"]})

    texts = [record[column] for column in OPTION_COLUMNS]
    while texts and not texts[-1]:
        texts.pop()
    if "" in texts:
        fail("选项A", _("选项之间不能有空列。"))
    answer = record["答案"].upper().replace(" ", "").replace(",", "").replace("，", "")
    answer = TRUE_FALSE_WORDS.get(record["答案"], answer) if kind == QuestionKind.TRUE_FALSE else answer
    letters = OPTION_LETTERS[: len(texts)]
    if not answer or any(letter not in letters for letter in answer):
        fail("答案", _("答案应为正确选项的字母（如 B 或 ACD），且对应的选项不能为空。"))
    choices = [(text, letter in answer) for text, letter in zip(texts, letters, strict=False)]
    if kind and not errors:
        for message in validate_choices(kind, choices):
            fail("答案", message)

    question = existing.get(record["题号"]) or Question(key=record["题号"])
    question.kind, question.level, question.status = kind, level, status
    question.topic, question.difficulty, question.article_id = topic, difficulty, article_id
    question.stem, question.explanation = record["题干"], record["解析"]
    if not errors:
        try:
            question.full_clean(exclude=["key"] if question.pk else None)
        except ValidationError as error:
            errors.extend(validation_errors(error, line, FIELD_COLUMNS))
    return question, choices, errors


def import_questions(*, file, filename, user=None):
    """Create or update questions by 题号. Returns an ImportResult; on any error nothing is saved.
    A changed answer of an active question is written to the audit log under ``user``."""
    try:
        table, errors = read_table(file=file, filename=filename, columns=COLUMNS)
    except RejectedFile as rejected:
        return rejected_result(rejected.errors, COLUMNS)
    all_topics = list(Topic.objects.all())
    topics = {**{t.name: t for t in all_topics}, **{t.slug: t for t in all_topics}}
    articles = dict(ArticlePage.objects.values_list("slug", "pk"))
    keys = {record["题号"] for _line, record in table}
    existing = {q.key: q for q in Question.objects.filter(key__in=keys).prefetch_related("choices")}
    # Taken before the rows overwrite the stored questions' attributes.
    before = {key: _state(q, [(c.text, c.is_correct) for c in q.choices.all()]) for key, q in existing.items()}
    answers_before = {key: (answer_texts(q), q.status == QuestionStatus.ACTIVE) for key, q in existing.items()}
    parsed = []
    seen = {}
    for line, record in table:
        question, choices, row_errors = _parse_row(line, record, topics=topics, articles=articles, existing=existing)
        if record["题号"] in seen:
            row_errors.append(RowError(line, "题号", _("题号与第 %(line)s 行重复。") % {"line": seen[record["题号"]]}))
        seen.setdefault(record["题号"], line)
        errors.extend(row_errors)
        parsed.append((question, choices))
    if errors:
        return rejected_result(errors, COLUMNS)
    result = ImportResult()
    with transaction.atomic():
        for question, choices in parsed:
            if before.get(question.key) == _state(question, choices):
                result.unchanged += 1
                continue
            created = question.pk is None
            save_question(question=question, choices=choices)
            if created:
                result.created += 1
            else:
                result.updated += 1
                answer_before, was_active = answers_before[question.key]
                log_answer_change(question=question, before=answer_before, was_active=was_active, user=user)
    return result


def export_questions(*, format):
    """The whole bank in the import template, so an export re-imports unchanged."""
    rows = []
    for question in Question.objects.select_related("topic", "article").prefetch_related("choices").order_by("key"):
        choices = list(question.choices.all())
        options = [choice.text for choice in choices] + [""] * (len(OPTION_COLUMNS) - len(choices))
        answer = "".join(letter for letter, choice in zip(OPTION_LETTERS, choices, strict=False) if choice.is_correct)
        rows.append(
            [
                question.key,
                question.get_kind_display(),
                question.topic.name,
                question.get_level_display(),
                question.get_difficulty_display(),
                question.stem,
                *options,
                answer,
                question.explanation,
                question.article.slug if question.article else "",
                question.get_status_display(),
            ]
        )
    return write_rows(COLUMNS, rows, format)
