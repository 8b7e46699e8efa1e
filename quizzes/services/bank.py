"""Writes to the question bank: saving a question with its choices, and snapshotting it into the
immutable version a sheet draws."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from wagtail.log_actions import log

from ..choices import QuestionStatus
from ..models.bank import Choice, QuestionVersion
from ..validation import validate_choices


def _question_content(question):
    return {
        "kind": question.kind,
        "stem": question.stem,
        "explanation": question.explanation,
        "article_id": question.article_id,
        "image_id": question.stem_image_id,
        "image_alt": question.stem_image_alt,
        "choices": [
            {"id": index + 1, "text": choice.text, "correct": choice.is_correct}
            for index, choice in enumerate(question.choices.all())
        ],
    }


@transaction.atomic
def snapshot_question(*, question):
    """The version of ``question`` as it is now, creating it if its content is new."""
    content = _question_content(question)
    fingerprint = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    existing = QuestionVersion.objects.filter(question=question, fingerprint=fingerprint).first()
    if existing:
        return existing
    number = (QuestionVersion.objects.filter(question=question).aggregate(n=Max("number"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            return QuestionVersion.objects.create(
                question=question, number=number, content=content, fingerprint=fingerprint
            )
    except IntegrityError:
        # Another sheet snapshotted the same content at the same moment.
        return QuestionVersion.objects.get(question=question, fingerprint=fingerprint)


@transaction.atomic
def save_question(*, question, choices):
    """Create or update a question and its choices (list of (text, is_correct)), validated."""
    errors = validate_choices(question.kind, choices)
    if errors:
        raise ValidationError({"choices": errors})
    question.full_clean()
    # Assigning the child list and saving is how modelcluster writes inline children.
    question.choices = [
        Choice(text=text.strip(), is_correct=is_correct, sort_order=order)
        for order, (text, is_correct) in enumerate(choices)
    ]
    question.save()
    return question


ANSWER_CHANGE_ACTION = "quizzes.question.answer_change"


def answer_texts(question):
    """The texts of ``question``'s correct choices as stored now, in choice order."""
    return [choice.text for choice in question.choices.all() if choice.is_correct]


def log_answer_change(*, question, before, was_active, user):
    """Write the audit entry for a change of an active question's correct answer (``before`` is
    ``answer_texts`` taken before the change): every admin sees who changed the key, and from what."""
    after = answer_texts(question)
    if after == before or not (was_active or question.status == QuestionStatus.ACTIVE):
        return None
    return log(
        instance=question,
        action=ANSWER_CHANGE_ACTION,
        user=user,
        data={"before": before, "after": after, "status": question.status},
    )
