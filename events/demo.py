"""The demo 2026 Safety Month calendar: a consultation day, a speech contest, campus, community
and enterprise activities across the towns (one cancelled, one recurring, one across midnight and
into July), with registrations, check-ins and recorded attendance. The June events name the
campaign 2026年安全生产月. Idempotent: existing pages are kept.

Registrations and check-ins go through ``events.services`` and attendance is saved as rows of the
page, so the demo sends the same signals (``events.signals``) as the site does."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from home.models import ArticlePage, Audience
from organizations.demo import demo_campaign
from organizations.models import Unit, UnitKind

from . import services
from .choices import EventKind, EventStatus, ExceptionAction
from .factories import EventIndexPageFactory, EventPageFactory
from .models import AttendanceRecord, EventException, EventIndexPage, EventPage, Registration
from .recurrence import LOCAL_TIME_ZONE

INDEX_SLUG = "events"


def _at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TIME_ZONE)


# (slug, title, kind, start, hours, venue, address, (lat, lon) in GCJ-02, organiser, audiences, extra)
EVENTS = [
    (
        "2026-consultation-day",
        "2026年全市安全咨询日",
        EventKind.CONSULTATION_DAY,
        _at(6, 16, 9),
        3,
        "莱西市文化广场",
        "莱西市烟台路与上海路交叉口",
        ("36.887400", "120.517900"),
        "莱西市应急管理局",
        ["residents", "enterprises"],
        {"summary": "安委会成员单位在广场设立咨询台，解答用气、用电、消防和道路交通等安全问题，发放宣传资料。"},
    ),
    (
        "2026-speech-contest",
        "2026年全市安全演讲比赛",
        EventKind.SPEECH_CONTEST,
        _at(6, 19, 14),
        3,
        "莱西市文化中心报告厅",
        "莱西市威海西路",
        ("36.889100", "120.508300"),
        "莱西市应急管理局",
        ["enterprises"],
        {
            "summary": "各镇街和重点企业选派选手，讲述身边的安全故事。",
            "registration_enabled": True,
            "capacity": 120,
            "allow_groups": True,
        },
    ),
    (
        "shuiji-campus-fire-drill",
        "实验小学消防疏散演练",
        EventKind.CAMPUS,
        _at(6, 9, 9, 30),
        2,
        "莱西市实验小学操场",
        "水集街道",
        None,
        "莱西市实验小学",
        ["students"],
        {"summary": "全校师生参加消防疏散演练，消防员现场讲解灭火器使用方法。"},
    ),
    (
        "wangcheng-campus-traffic",
        "第二中学交通安全讲座",
        EventKind.CAMPUS,
        _at(6, 11, 15),
        2,
        "莱西市第二中学报告厅",
        "望城街道",
        None,
        "莱西市第二中学",
        ["students"],
        {"summary": "交警走进校园，讲解骑行和乘车安全。"},
    ),
    (
        "jiangshan-campus-drowning",
        "姜山中学防溺水安全课",
        EventKind.CAMPUS,
        _at(6, 12, 14),
        2,
        "姜山中学",
        "姜山镇",
        None,
        "姜山中学",
        ["students"],
        {
            "summary": "暑期将至，讲解防溺水“六不”要求。",
            "status": EventStatus.CANCELLED,
            "status_note": "因天气原因取消，改在班会课上进行。",
        },
    ),
    (
        "guhe-community-gas",
        "沽河社区安全用气进万家",
        EventKind.COMMUNITY,
        _at(6, 6, 9),
        3,
        "沽河社区服务中心",
        "沽河街道",
        None,
        "沽河社区",
        ["residents"],
        {
            "summary": "每周六上午在社区服务中心讲解天然气泄漏的处置方法，现场检查灶具软管。",
            "rrule": "FREQ=WEEKLY;BYDAY=SA;UNTIL=20260627",
            "registration_enabled": True,
            "capacity": 30,
        },
    ),
    (
        "xiagezhuang-community-fire",
        "大泊村消防安全宣传",
        EventKind.COMMUNITY,
        _at(6, 14, 8, 30),
        3,
        "大泊村文化广场",
        "夏格庄镇",
        None,
        "大泊村",
        ["residents"],
        {"summary": "讲解农村用火用电安全，演示灭火毯使用。"},
    ),
    (
        "rizhuang-community-elderly",
        "日庄社区老年人防诈骗和用电安全",
        EventKind.COMMUNITY,
        _at(6, 18, 9),
        2,
        "日庄社区活动室",
        "日庄镇",
        None,
        "日庄社区",
        ["residents"],
        {"summary": "面向老年人讲解用电、用气和防诈骗常识。"},
    ),
    (
        "nanshu-enterprise-mine",
        "南墅矿业非煤矿山应急演练",
        EventKind.ENTERPRISE,
        _at(6, 23, 9),
        4,
        "南墅示范矿业有限公司",
        "南墅镇",
        None,
        "南墅示范矿业有限公司",
        ["enterprises"],
        {"summary": "模拟井下透水事故，检验应急预案和撤离路线。"},
    ),
    (
        "rizhuang-enterprise-gas-night",
        "供气站夜间应急抢修演练",
        EventKind.DRILL,
        _at(6, 30, 21),
        6,
        "日庄镇供气站抢修基地",
        "日庄镇",
        None,
        "日庄示范燃气供应站",
        ["enterprises"],
        {"summary": "夜间模拟管道泄漏，检验抢修队伍跨夜连续作业能力。"},
    ),
    (
        "yuanshang-enterprise-training",
        "食品企业有限空间作业培训",
        EventKind.TRAINING,
        _at(6, 25, 8, 30),
        32,
        "院上示范食品有限公司培训室",
        "院上镇",
        None,
        "院上示范食品有限公司",
        ["enterprises"],
        {"summary": "两天培训：有限空间作业审批、通风检测和救援。"},
    ),
]


def _upcoming_event():
    """One event two weeks after the demo is loaded, so the upcoming list and registration can be
    tried whatever the date (the June calendar above is in the past for most of the year)."""
    start = (timezone.localtime() + timedelta(days=14)).replace(hour=9, minute=0, second=0, microsecond=0)
    return (
        "winter-electrical-fire-training",
        "冬季用电防火培训",
        EventKind.TRAINING,
        start,
        2,
        "莱西市应急管理局三楼会议室",
        "莱西市威海西路",
        None,
        "莱西市应急管理局",
        ["residents", "enterprises"],
        {
            "summary": "讲解取暖季电气线路老化、电暖器使用和电动自行车充电的防火要点，现场演示灭火器使用。",
            "registration_enabled": True,
            "capacity": 60,
            "allow_groups": True,
        },
    )


ATTENDANCE = {
    "2026-consultation-day": [("莱西市应急管理局", 60), ("水集社区", 350), ("东关社区", 220)],
    "shuiji-campus-fire-drill": [("莱西市实验小学", 1200)],
    "wangcheng-campus-traffic": [("莱西市第二中学", 860)],
    "xiagezhuang-community-fire": [("大泊村", 140)],
    "nanshu-enterprise-mine": [("南墅示范矿业有限公司", 85)],
}

REGISTRANTS = [("王建国", "13853201234"), ("李秀英", "13905321111"), ("张伟", "15866882222"), ("刘芳", "18653213333")]


def _index(home):
    index = EventIndexPage.objects.child_of(home).first()
    if index is None:
        index = EventIndexPageFactory(
            parent=home,
            slug=INDEX_SLUG,
            title="宣教活动",
            intro="2026年6月全市的安全咨询日、演讲比赛和安全进校园、进社区、进企业活动。",
        )
        index.save_revision().publish()
    return index


def _registrations(event, units):
    """The demo registrations of an event that takes them; at an occurrence already held, all
    but the last individual registrant checked in."""
    if Registration.objects.filter(event=event).exists() or not event.registration_enabled:
        return
    occurrence_date = event.starts_at.astimezone(LOCAL_TIME_ZONE).date()
    before = event.starts_at - timedelta(days=3)
    registrations = [
        services.register(
            event=event,
            occurrence_date=occurrence_date,
            name=name,
            phone=phone,
            # Ticked on the public form: 我已满18周岁，或已获得监护人同意.
            adult_or_guardian_consent=True,
            now=before,
        )[0]
        for name, phone in REGISTRANTS
    ]
    if event.allow_groups:
        group, _token = services.register(
            event=event,
            occurrence_date=occurrence_date,
            name="赵老师",
            phone="13706390000",
            unit=units["莱西市第二中学"],
            party_size=40,
            # Registered by the school's liaison, signed in: no staff confirmation needed (the
            # browser asks the liaison to tick the confirmation too).
            by_liaison=True,
            adult_or_guardian_consent=True,
            now=before,
        )
        registrations.insert(0, group)
    if event.starts_at < timezone.now():
        for registration in registrations[:-1]:
            services.check_in(
                event=event, public_id=registration.public_id, now=event.starts_at - timedelta(minutes=10)
            )


def load_demo_events(*, home, related_contest=None):
    """Create the missing demo events; returns the number created. ``related_contest`` (a
    ContestPage, passed in because events know nothing of contests) is linked from the campus
    events and the speech contest."""
    index = _index(home)
    campaign = demo_campaign()
    units = {unit.name: unit for unit in Unit.objects.exclude(kind=UnitKind.CITY)}
    audiences = {audience.slug: audience for audience in Audience.objects.all()}
    created = 0
    for slug, title, kind, start, hours, venue, address, coordinates, organiser, audience_slugs, extra in [
        *EVENTS,
        _upcoming_event(),
    ]:
        # The upcoming event (two weeks after loading) is outside June's campaign.
        in_campaign = campaign.starts_on <= start.astimezone(LOCAL_TIME_ZONE).date() <= campaign.ends_on
        event = EventPage.objects.child_of(index).filter(slug=slug).first()
        if event is None:
            fields = {
                "status": EventStatus.SCHEDULED,
                "registration_enabled": False,
                **extra,
            }
            if coordinates:
                fields["latitude"], fields["longitude"] = (Decimal(value) for value in coordinates)
            event = EventPageFactory(
                parent=index,
                slug=slug,
                title=title,
                kind=kind,
                starts_at=start,
                ends_at=start + timedelta(hours=hours),
                venue_name=venue,
                venue_address=address,
                organiser=units[organiser],
                campaign=campaign if in_campaign else None,
                related_contest=related_contest if kind in (EventKind.CAMPUS, EventKind.SPEECH_CONTEST) else None,
                audiences=[audiences[name] for name in audience_slugs if name in audiences],
                **fields,
            )
            if event.rrule:
                EventException.objects.create(
                    page=event, original_date=_at(6, 13, 0).date(), action=ExceptionAction.CANCEL
                )
                EventException.objects.create(
                    page=event,
                    original_date=_at(6, 20, 0).date(),
                    action=ExceptionAction.MOVE,
                    new_starts_at=_at(6, 21, 9),
                    new_ends_at=_at(6, 21, 12),
                )
            launch = ArticlePage.objects.filter(slug="2026-safety-month-launch").first()
            if launch:
                event.related_articles.set([launch])
            for unit_name, count in ATTENDANCE.get(slug, []):
                AttendanceRecord.objects.create(page=event, unit=units[unit_name], count=count)
            event.save_revision().publish()
            created += 1
        elif in_campaign and event.campaign_id is None:
            # A demo loaded before events named their campaign.
            event.campaign = campaign
            event.save_revision().publish()
        _registrations(event, units)
    return created
