"""Factories for the question bank and contests; the tests and the demo content both use them."""

from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from core.privacy import mask_phone
from home.factories import TopicFactory
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.people import phone_digest

from .choices import AgeBand, Level, QuestionKind, QuestionStatus
from .models.bank import Question
from .models.contests import ContestIndexPage, ContestPage, DrawRule
from .models.sheets import Participant
from .services.bank import save_question

DEFAULT_CHOICES = {
    QuestionKind.SINGLE: [("选项一", True), ("选项二", False), ("选项三", False), ("选项四", False)],
    QuestionKind.MULTIPLE: [("选项一", True), ("选项二", True), ("选项三", False), ("选项四", False)],
    QuestionKind.TRUE_FALSE: [("正确", True), ("错误", False)],
}


class QuestionFactory(factory.django.DjangoModelFactory):
    """A validated question saved through ``services.bank.save_question``; pass ``choices=[(text, correct)]``."""

    key = factory.Sequence(lambda n: f"q-{n:04d}")
    kind = QuestionKind.SINGLE
    topic = factory.SubFactory(TopicFactory)
    level = Level.PRIMARY
    difficulty = 1
    stem = factory.Sequence(lambda n: f"第{n}道安全知识题的题干（　）。")
    explanation = "这是解析。"
    status = QuestionStatus.ACTIVE

    class Meta:
        model = Question

    @classmethod
    def _create(cls, model_class, *args, choices=None, **kwargs):
        question = model_class(*args, **kwargs)
        return save_question(question=question, choices=choices or DEFAULT_CHOICES[question.kind])


class ContestIndexPageFactory(wagtail_factories.PageFactory):
    title = "安全知识答卷"
    slug = factory.Sequence(lambda n: f"contests-{n}")

    class Meta:
        model = ContestIndexPage


class ContestPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"安全知识答卷{n}")
    slug = factory.Sequence(lambda n: f"contest-{n}")
    intro = "限时作答，交卷后查看成绩与解析。"
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    time_limit_seconds = 150
    attempts_per_day = 1
    attempts_total = 3
    allowed_unit_kinds = factory.LazyFunction(lambda: [UnitKind.SCHOOL])

    class Meta:
        model = ContestPage


class DrawRuleFactory(factory.django.DjangoModelFactory):
    contest = factory.SubFactory(ContestPageFactory)
    kind = QuestionKind.SINGLE
    level = ""
    count = 5
    points = 20

    class Meta:
        model = DrawRule


class ParticipantFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"学生{n}号")
    unit = factory.SubFactory(UnitFactory, kind=UnitKind.SCHOOL)
    class_name = "五年级二班"
    age_band = AgeBand.UNDER_14
    guardian_consent_at = factory.LazyFunction(timezone.now)
    guardian_consent_version = "2026-1"
    # ``phone="138…"`` stores what identifying stores: the digest and the masked number.
    phone_digest = factory.LazyAttribute(lambda participant: phone_digest(participant.phone))
    phone_masked = factory.LazyAttribute(lambda participant: mask_phone(participant.phone) if participant.phone else "")

    class Params:
        phone = ""

    class Meta:
        model = Participant
