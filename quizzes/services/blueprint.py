"""A contest's paper blueprint, cached: its fixed questions and each draw rule's pool, already
snapshotted into versions, so that starting a sheet draws without reading the bank.

A blueprint is built from the database once per process and kept while the bank generation (a
token in the default cache, shared by every worker) and the contest's last publication are what
they were when it was built, and for ``BLUEPRINT_SECONDS`` at most. Saving or deleting a question,
a choice, a draw rule or a fixed question replaces the token, both at once and again when the
change commits (a start that rebuilt in between read the bank as it was before the commit). Where
the cache is per process (no Redis), the time bound is what limits how stale another worker's
blueprint can be.
"""

import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from ..models.bank import Question
from .bank import snapshot_questions

BLUEPRINT_SECONDS = 300
GENERATION_KEY = "quizzes:bank-generation"


@dataclass(frozen=True)
class Slot:
    """One question a sheet may draw, as its current version."""

    question_id: int
    version_id: int
    kind: str
    choice_ids: tuple


@dataclass(frozen=True)
class Blueprint:
    fixed: tuple  # ((Slot, points), …) in the contest's order
    rules: tuple  # ((count, points, (Slot, …) in the bank's order), …) in the contest's order


def _slot(question, version):
    return Slot(
        question_id=question.pk,
        version_id=version.pk,
        kind=version.content["kind"],
        choice_ids=tuple(choice["id"] for choice in version.content["choices"]),
    )


def _matches(rule, question):
    return (
        (not rule.kind or question.kind == rule.kind)
        and (not rule.topic_id or question.topic_id == rule.topic_id)
        and (not rule.level or question.level == rule.level)
    )


def build_blueprint(*, contest):
    """The blueprint as the database holds it now (snapshotting every question it may draw)."""
    fixed = list(contest.fixed_questions.select_related("question").prefetch_related("question__choices"))
    rules = list(contest.draw_rules.all())
    pool = list(Question.objects.active().prefetch_related("choices")) if rules else []
    pool = [question for question in pool if any(_matches(rule, question) for rule in rules)]
    questions = {question.pk: question for question in pool}
    questions.update({row.question.pk: row.question for row in fixed})
    versions = snapshot_questions(questions=questions.values())
    return Blueprint(
        fixed=tuple((_slot(row.question, versions[row.question.pk]), row.points) for row in fixed),
        rules=tuple(
            (
                rule.count,
                rule.points,
                tuple(_slot(question, versions[question.pk]) for question in pool if _matches(rule, question)),
            )
            for rule in rules
        ),
    )


_built = {}  # contest pk -> (stamp, monotonic time built, Blueprint)


def _generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        token = uuid.uuid4().hex
        generation = token if cache.add(GENERATION_KEY, token, None) else cache.get(GENERATION_KEY)
    return generation


def contest_blueprint(*, contest):
    """The contest's blueprint: this process's copy while it is current, else built anew."""
    generation = _generation()
    if generation is None:  # no cache to tell a change by: never keep one
        return build_blueprint(contest=contest)
    stamp = (generation, contest.last_published_at, contest.latest_revision_id)
    kept = _built.get(contest.pk)
    if kept is not None and kept[0] == stamp and time.monotonic() - kept[1] < BLUEPRINT_SECONDS:
        return kept[2]
    blueprint = build_blueprint(contest=contest)
    _built[contest.pk] = (stamp, time.monotonic(), blueprint)
    return blueprint


def _new_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def bank_changed(**kwargs):
    """Every blueprint is out of date: now, and again once the change commits."""
    _new_generation()
    transaction.on_commit(_new_generation)


for _model in ("quizzes.Question", "quizzes.Choice", "quizzes.DrawRule", "quizzes.FixedQuestion"):
    post_save.connect(bank_changed, sender=_model, dispatch_uid=f"quizzes-blueprint-save-{_model}")
    post_delete.connect(bank_changed, sender=_model, dispatch_uid=f"quizzes-blueprint-delete-{_model}")
