"""Rules for a question's choices, shared by the admin form, the services and imports."""

from django.utils.translation import gettext as _

from .choices import QuestionKind


def validate_choices(kind, choices):
    """Chinese messages for a question's choices: ``choices`` is a list of (text, is_correct)."""
    errors = []
    texts = [text.strip() for text, _correct in choices]
    correct = sum(1 for _text, is_correct in choices if is_correct)
    if any(not text for text in texts):
        errors.append(_("选项内容不能为空。"))
    if len(set(texts)) != len(texts):
        errors.append(_("选项内容不能重复。"))
    if kind == QuestionKind.TRUE_FALSE and (len(choices) != 2 or correct != 1):
        errors.append(_("判断题必须有两个选项（正确、错误），且只有一个是答案。"))
    elif kind == QuestionKind.SINGLE and (len(choices) < 2 or correct != 1):
        errors.append(_("单选题至少两个选项，且只能有一个正确答案。"))
    elif kind == QuestionKind.MULTIPLE and (len(choices) < 3 or correct < 1):
        errors.append(_("不定项选择题至少三个选项，且至少有一个正确答案。"))
    return errors
