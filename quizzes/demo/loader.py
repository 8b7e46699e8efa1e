"""Demo question bank, two contests and simulated answer sheets. Idempotent: questions are
looked up by key, pages by slug, and sheets are only simulated for a contest that has none."""

import json
import random
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction
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
    real grading rule. Written in batches of plain rows (COPY on PostgreSQL), not model objects:
    the point is believable rankings, not the flow, and 200,000 sheets must load in a minute or two
    in little memory. They send no ``sheet_finished``: the participation demo, which runs last,
    records them in the ledger in bulk (participation/demo.py)."""
    if count <= 0 or AnswerSheet.objects.filter(contest=contest).exists():
        return 0
    units = list(
        Unit.objects.filter(kind__in=contest.allowed_unit_kinds, is_active=True)
        .exclude(name__in=UNREACHED_UNITS)
        .values_list("pk", flat=True)
    )
    if not units:
        return 0
    rules = list(contest.draw_rules.all())
    pools = {
        rule.pk: list(Question.objects.active().filter(kind=rule.kind, level=rule.level).values_list("pk", flat=True))
        for rule in rules
    }
    drawn = set().union(*pools.values())
    answers = {}
    for question in Question.objects.active().filter(pk__in=drawn).prefetch_related("choices"):
        version = snapshot_question(question=question)
        for rule in rules:
            answers[question.pk, rule.points] = _Answers(version, rule.points, contest.multiple_scoring)
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
    window = int((now - start_window).total_seconds()) - 3600
    ops, uuids_native = connection.ops, connection.features.has_native_uuid_field
    created_at = ops.adapt_datetimefield_value(timezone.now())
    consent_at = None if adult else ops.adapt_datetimefield_value(start_window)
    consent_version = "" if adult else contest.consent_version
    # Plain values: the database drivers take str, not enum subclasses of it.
    age_band = (AgeBand.ADULT if adult else AgeBand.UNDER_14).value
    for done in range(0, count, SIMULATION_BATCH):
        size = min(SIMULATION_BATCH, count - done)
        participant_ids = _reserve_ids(Participant, size)
        sheet_ids = _reserve_ids(AnswerSheet, size)
        participants, sheets, rows = [], [], []
        for participant_id, sheet_id in zip(participant_ids, sheet_ids, strict=True):
            unit_id = rng.choice(units)
            class_name = "" if adult else f"{rng.randint(1, 6)}年级{rng.randint(1, 5)}班"
            token, public_id = uuid.uuid4(), uuid.uuid4()
            participants.append(
                (
                    participant_id,
                    token if uuids_native else token.hex,
                    _name(rng),
                    unit_id,
                    class_name,
                    age_band,
                    "",
                    "",
                    consent_at,
                    consent_version,
                    created_at,
                )
            )
            started = start_window + timedelta(seconds=rng.randint(0, window))
            started_value = ops.adapt_datetimefield_value(started)
            score = max_score = 0
            position = 0
            for rule in rules:
                for pk in rng.sample(pools[rule.pk], rule.count):
                    position += 1
                    choice = answers[pk, rule.points]
                    selected, awarded = choice.right if rng.random() < skill else rng.choice(choice.wrong)
                    score += awarded
                    max_score += rule.points
                    rows.append(
                        (
                            sheet_id,
                            position,
                            choice.version_id,
                            rule.points,
                            choice.order,
                            selected,
                            started_value,
                            awarded,
                        )
                    )
            duration = rng.randint(contest.time_limit_seconds // 4, contest.time_limit_seconds)
            sheets.append(
                (
                    sheet_id,
                    public_id if uuids_native else public_id.hex,
                    contest.pk,
                    participant_id,
                    unit_id,
                    1,
                    ops.adapt_datefield_value(timezone.localtime(started).date()),
                    1,
                    SheetStatus.SUBMITTED.value,
                    started_value,
                    ops.adapt_datetimefield_value(started + timedelta(seconds=contest.time_limit_seconds)),
                    ops.adapt_datetimefield_value(started + timedelta(seconds=duration)),
                    score,
                    max_score,
                    duration,
                    False,
                )
            )
        _insert(Participant, PARTICIPANT_COLUMNS, participants)
        _insert(AnswerSheet, SHEET_COLUMNS, sheets)
        _insert(SheetQuestion, ANSWER_COLUMNS, rows)
    return count


SIMULATION_BATCH = 5000
PARTICIPANT_COLUMNS = (
    "id",
    "token",
    "name",
    "unit_id",
    "class_name",
    "age_band",
    "phone_digest",
    "phone_masked",
    "guardian_consent_at",
    "guardian_consent_version",
    "created_at",
)
SHEET_COLUMNS = (
    "id",
    "public_id",
    "contest_id",
    "participant_id",
    "unit_id",
    "attempt_number",
    "attempt_date",
    "attempt_of_day",
    "status",
    "started_at",
    "deadline",
    "finished_at",
    "score",
    "max_score",
    "duration_seconds",
    "flagged",
)
ANSWER_COLUMNS = ("sheet_id", "position", "version_id", "points", "choice_order", "selected", "answered_at", "awarded")


class _Answers:
    """One question at one number of points as the simulation answers it: its version, its choice
    order, and (selected, awarded) for the right answer and for each wrong choice, graded once by
    the real rule and kept as the database values."""

    def __init__(self, version, points, scoring):
        def graded(selected):
            row = SheetQuestion(version=version, points=points, selected=selected)
            return json.dumps(selected), award(row, scoring)

        choices = version.content["choices"]
        self.version_id = version.pk
        self.order = json.dumps([choice["id"] for choice in choices])
        self.right = graded(sorted(version.correct_ids))
        self.wrong = [graded([choice["id"]]) for choice in choices if not choice["correct"]]


def _reserve_ids(model, count):
    """``count`` fresh primary keys of ``model``, so related rows can be written before their
    parents are read back: from the sequence on PostgreSQL; on SQLite, past the largest key and
    AUTOINCREMENT's high-water mark (a concurrent writer would fail the insert, not mix rows)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM {quoted}), 0), "
            "coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = cursor.fetchone()[0] + 1
        return range(first, first + count)


def _insert(model, columns, rows):
    """Insert tuples of database values: COPY on PostgreSQL, executemany elsewhere."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


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
