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


def _fingerprint(content):
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# Concurrent snapshots of the same new content insert the same rows and skip each other's; a
# concurrent snapshot of other content can take a version number first, and then we count again.
SNAPSHOT_TRIES = 3


def snapshot_questions(*, questions):
    """{question pk: its version as it is now} for ``questions`` (their choices prefetched), in a
    few statements whatever their number, creating the versions whose content is new.

    Each statement commits on its own, outside any sheet's transaction, and new versions are
    inserted in question order: concurrent starts snapshotting the same questions then never
    deadlock (they once did, inserting one by one inside their transactions in random order)."""
    contents = {question.pk: _question_content(question) for question in questions}
    fingerprints = {pk: _fingerprint(content) for pk, content in contents.items()}
    versions = {}

    def collect(pks):
        for version in QuestionVersion.objects.filter(
            question_id__in=pks, fingerprint__in={fingerprints[pk] for pk in pks}
        ):
            if fingerprints[version.question_id] == version.fingerprint:
                versions[version.question_id] = version

    collect(list(fingerprints))
    for _try in range(SNAPSHOT_TRIES):
        missing = sorted(pk for pk in fingerprints if pk not in versions)
        if not missing:
            return versions
        numbers = dict(
            QuestionVersion.objects.filter(question_id__in=missing)
            .values("question_id")
            .annotate(n=Max("number"))
            .values_list("question_id", "n")
        )
        QuestionVersion.objects.bulk_create(
            [
                QuestionVersion(
                    question_id=pk,
                    number=(numbers.get(pk) or 0) + 1,
                    content=contents[pk],
                    fingerprint=fingerprints[pk],
                )
                for pk in missing
            ],
            ignore_conflicts=True,
        )
        collect(missing)
    if len(versions) < len(fingerprints):
        raise IntegrityError("question versions could not be created")
    return versions


def snapshot_question(*, question):
    """The version of ``question`` as it is now, creating it if its content is new."""
    return snapshot_questions(questions=[question])[question.pk]


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
