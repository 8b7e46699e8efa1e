"""Demo question bank, two contests and simulated answer sheets. Idempotent: questions are
looked up by key, pages by slug, and sheets are only simulated for a contest that has none."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from home.factories import TopicFactory
from home.models import ArticlePage, Topic
from organizations.demo import demo_campaign
from organizations.models import Unit, UnitKind

from ..choices import AgeBand, AnswerReveal, Level, MultipleChoiceScoring, QuestionKind, SheetStatus
from ..factories import ContestIndexPageFactory, ContestPageFactory, QuestionFactory
from ..models import AnswerSheet, ContestIndexPage, ContestPage, DrawRule, Participant, Question, SheetQuestion
from ..services.answering import award
from ..services.bank import snapshot_question
from ..signals import send_sheet_finished_on_commit
from .questions import QUESTIONS

# Villages nobody from has answered yet, so the participation coverage list has follow-up work.
UNREACHED_UNITS = ("青山村", "北岭村")

SHANGHAI = ZoneInfo("Asia/Shanghai")
STUDENT_CONTEST_SLUG = "students-2026"
ADULT_CONTEST_SLUG = "residents-enterprises-2026"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎姜"
GIVEN = "子涵欣怡梓轩浩然一诺雨桐宇航思远佳怡俊杰晓明文博嘉怡晨阳婉清志强海涛秀英建国丽华"


def _questions():
    TopicFactory(slug="emergency-self-rescue", name="应急自救", sort_order=10)
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    articles = dict(ArticlePage.objects.values_list("slug", "pk"))
    existing = set(Question.objects.values_list("key", flat=True))
    for data in QUESTIONS:
        if data["key"] in existing:
            continue
        QuestionFactory(
            key=data["key"],
            kind=data["kind"],
            topic=topics[data["topic"]],
            level=data["level"],
            difficulty=data["difficulty"],
            stem=data["stem"],
            explanation=data["explanation"],
            article_id=articles.get(data["article_slug"]),
            choices=data["choices"],
        )


def _contest(index, *, slug, draw, campaign, **fields):
    contest = ContestPage.objects.filter(slug=slug).first()
    if contest is None:
        contest = ContestPageFactory.build(slug=slug, campaign=campaign, **fields)
        index.add_child(instance=contest)
        for order, (kind, level, count, points) in enumerate(draw):
            DrawRule.objects.create(
                contest=contest, sort_order=order, kind=kind, level=level, count=count, points=points
            )
        contest.save_revision().publish()
    elif contest.campaign_id is None:
        # A demo loaded before contests named their campaign.
        contest.campaign = campaign
        contest.save_revision().publish()
    return contest


def _contests(home):
    index = ContestIndexPage.objects.child_of(home).first()
    if index is None:
        index = ContestIndexPageFactory(
            parent=home, slug="contests", intro="2026年“安全生产月”安全知识答卷，按学校、社区和企业统计参与情况。"
        )
        index.save_revision().publish()
    opens = datetime(2026, 6, 1, 8, 0, tzinfo=SHANGHAI)
    # Open to the end of the year that is at least two months away, so a newcomer can always take
    # the demo contests.
    closes = datetime((timezone.now() + timedelta(days=60)).year, 12, 31, 23, 59, tzinfo=SHANGHAI)
    campaign = demo_campaign()
    students = _contest(
        index,
        slug=STUDENT_CONTEST_SLUG,
        campaign=campaign,
        draw=[
            (QuestionKind.SINGLE, Level.PRIMARY, 5, 10),
            (QuestionKind.TRUE_FALSE, Level.PRIMARY, 3, 10),
            (QuestionKind.MULTIPLE, Level.PRIMARY, 2, 10),
        ],
        title="2026年中小学生安全知识答卷",
        intro="10道题，限时5分钟，内容来自“安全生产月”专栏。按学校统计参与情况。",
        rules="<ol><li>扫描学校的二维码进入，填写姓名和班级；14岁以下的同学请监护人勾选同意。</li>"
        "<li>点击“开始答题”后开始计时，以服务器时间为准，时间到自动交卷。</li>"
        "<li>每天可答1次，共3次，排行榜取最好成绩。</li></ol>",
        opens_at=opens,
        closes_at=closes,
        time_limit_seconds=300,
        attempts_per_day=1,
        attempts_total=3,
        allowed_unit_kinds=[UnitKind.SCHOOL],
        ask_class_name=True,
        ask_phone=False,
        reveal_answers=AnswerReveal.AFTER_SUBMIT,
    )
    adults = _contest(
        index,
        slug=ADULT_CONTEST_SLUG,
        campaign=campaign,
        draw=[
            (QuestionKind.SINGLE, Level.ADULT, 10, 5),
            (QuestionKind.MULTIPLE, Level.ADULT, 5, 6),
            (QuestionKind.TRUE_FALSE, Level.ADULT, 5, 4),
        ],
        title="2026年居民与企业职工安全知识答卷",
        intro="20道题，限时20分钟，涵盖《安全生产法》、八项专项整治和应急自救。按社区和企业统计参与情况。",
        rules="<ol><li>选择所在社区或企业，填写姓名；手机号选填，仅用于获奖联系。</li>"
        "<li>不定项选择题少选按比例得分，错选不得分。</li><li>正确答案和解析在活动结束后公布。</li></ol>",
        opens_at=opens,
        closes_at=closes,
        time_limit_seconds=1200,
        attempts_per_day=2,
        attempts_total=5,
        allowed_unit_kinds=[UnitKind.COMMUNITY, UnitKind.ENTERPRISE, UnitKind.GOVERNMENT, UnitKind.OTHER],
        ask_class_name=False,
        ask_phone=True,
        multiple_scoring=MultipleChoiceScoring.PER_OPTION,
        reveal_answers=AnswerReveal.AFTER_CLOSE,
    )
    return students, adults


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))


def _simulate(contest, *, count, rng, skill):
    """``count`` finished sheets by made-up participants of the contest's units, graded with the
    real grading rule. Bulk-inserted: the point is believable rankings, not the flow; each sheet
    still sends ``sheet_finished`` after the commit, as a submitted one does, so the participation
    ledger counts it."""
    if count <= 0 or AnswerSheet.objects.filter(contest=contest).exists():
        return 0
    units = list(
        Unit.objects.filter(kind__in=contest.allowed_unit_kinds, is_active=True).exclude(name__in=UNREACHED_UNITS)
    )
    if not units:
        return 0
    versions = {}
    for question in Question.objects.active().prefetch_related("choices"):
        versions[question.pk] = snapshot_question(question=question)
    # Within the campaign's days when it is over (so its day-by-day trend has a story), else the
    # last 20 days.
    now = timezone.now()
    campaign = contest.campaign
    campaign_end = campaign and datetime.combine(campaign.ends_on, datetime.max.time(), tzinfo=SHANGHAI)
    if campaign_end and campaign_end < now:
        start_window = max(contest.opens_at, datetime.combine(campaign.starts_on, datetime.min.time(), tzinfo=SHANGHAI))
        now = campaign_end
    else:
        start_window = max(contest.opens_at, now - timedelta(days=20))
    adult = UnitKind.SCHOOL not in contest.allowed_unit_kinds
    participants = Participant.objects.bulk_create(
        [
            Participant(
                name=_name(rng),
                unit=rng.choice(units),
                class_name="" if adult else f"{rng.randint(1, 6)}年级{rng.randint(1, 5)}班",
                age_band=AgeBand.ADULT if adult else AgeBand.UNDER_14,
                guardian_consent_at=None if adult else start_window,
                guardian_consent_version="" if adult else contest.consent_version,
            )
            for _ in range(count)
        ]
    )
    pools = {}
    for rule in contest.draw_rules.all():
        pools[rule.pk] = list(
            Question.objects.active().filter(kind=rule.kind, level=rule.level).values_list("pk", flat=True)
        )
    sheets, rows = [], []
    for participant in participants:
        started = start_window + timedelta(seconds=rng.randint(0, int((now - start_window).total_seconds()) - 3600))
        paper = [
            (versions[pk], rule.points)
            for rule in contest.draw_rules.all()
            for pk in rng.sample(pools[rule.pk], rule.count)
        ]
        sheet = AnswerSheet(
            contest=contest,
            participant=participant,
            unit_id=participant.unit_id,
            attempt_number=1,
            attempt_date=timezone.localtime(started).date(),
            attempt_of_day=1,
            status=SheetStatus.SUBMITTED,
            started_at=started,
            deadline=started + timedelta(seconds=contest.time_limit_seconds),
            max_score=sum(points for _version, points in paper),
        )
        score = 0
        for position, (version, points) in enumerate(paper, start=1):
            correct = sorted(version.correct_ids)
            wrong = [c["id"] for c in version.content["choices"] if not c["correct"]]
            selected = correct if rng.random() < skill else [rng.choice(wrong)]
            row = SheetQuestion(
                sheet=sheet,
                position=position,
                version=version,
                points=points,
                choice_order=[c["id"] for c in version.content["choices"]],
                selected=selected,
                answered_at=started,
            )
            row.awarded = award(row, contest.multiple_scoring)
            score += row.awarded
            rows.append(row)
        duration = rng.randint(contest.time_limit_seconds // 4, contest.time_limit_seconds)
        sheet.score = score
        sheet.duration_seconds = duration
        sheet.finished_at = started + timedelta(seconds=duration)
        sheets.append(sheet)
    AnswerSheet.objects.bulk_create(sheets)
    for row in rows:
        row.sheet_id = row.sheet.pk
    SheetQuestion.objects.bulk_create(rows, batch_size=2000)
    for sheet in sheets:
        send_sheet_finished_on_commit(sheet)
    return len(sheets)


@transaction.atomic
def load_demo_contests(*, home, sheets=3000, seed=2026):
    """The question bank, the two 2026 contests and ``sheets`` simulated answer sheets in all.
    Returns the contests, the students' first."""
    _questions()
    students, adults = _contests(home)
    rng = random.Random(seed)
    _simulate(students, count=sheets * 2 // 3, rng=rng, skill=0.8)
    _simulate(adults, count=sheets - sheets * 2 // 3, rng=rng, skill=0.75)
    return [students, adults]
