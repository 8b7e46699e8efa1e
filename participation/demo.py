"""The demo's participation: activity reports staff would enter, the ledger filled from the demo's
sheets, registrations and attendance, and the 2026 headcounts adjusted so the dashboard tells a
story: some schools above 80 %, one unit above 100 % (shown, not capped), one unit with no
headcount, and communities with nobody yet (0 %) where the other demos left any.

Runs last (outreach/demo.py), after every other loader, whose signals have by then filled the
ledger. Anything they made that the ledger still lacks (the contest demo's simulated sheets, which
send no signal, a database loaded before the ledger existed, or a load inside an outer
transaction, whose on-commit signals come later) is recorded here through the same receivers,
idempotent on source. Safe to run repeatedly."""

import datetime
import math

from django.apps import apps
from django.db import reset_queries, transaction

from organizations.demo import demo_campaign
from organizations.models import AudienceGroup, Headcount, Unit, UnitKind

from . import receivers, selectors, services
from .models import ActivityReport, ParticipationEntry

# (unit name, title, audience, people, day of June, note)
ACTIVITY_REPORTS = [
    ("莱西市实验小学", "安全进校园：防溺水和交通安全主题班会", AudienceGroup.STUDENTS, 1200, 5, "全校各班同步开展。"),
    ("莱西市第二中学", "应急疏散演练", AudienceGroup.STUDENTS, 900, 11, "与消防救援站联合组织。"),
    ("水集社区", "安全进社区：燃气安全入户宣传", AudienceGroup.RESIDENTS, 320, 9, "发放宣传资料600份。"),
    ("姜山社区", "老年人防诈骗和用电安全讲座", AudienceGroup.RESIDENTS, 85, 18, ""),
    ("莱西示范化工有限公司", "危险化学品泄漏应急演练", AudienceGroup.STAFF, 150, 20, "邀请周边企业观摩。"),
    ("望城示范建筑工程有限公司", "安全进企业：高处作业安全培训", AudienceGroup.STAFF, 64, 23, ""),
    ("莱西市应急管理局", "《安全生产法》专题学习", AudienceGroup.OFFICIALS, 45, 16, ""),
]
# The unit whose headcount the demo leaves out, so the dashboard shows a missing denominator.
NO_HEADCOUNT_UNIT = "莱西示范新能源科技有限公司"
HIGH_SCHOOL_RATE = 0.88
OVER_FULL_RATE = 1.12
MIDDLE_SCHOOL_RATES = (0.42, 0.55, 0.63, 0.71)
# Sheets recorded per bulk write of the ledger (and sources looked up per query).
LEDGER_BATCH = 2000


def _activity_reports(campaign):
    units = {unit.name: unit for unit in Unit.objects.filter(name__in=[row[0] for row in ACTIVITY_REPORTS])}
    for unit_name, title, audience, people, day, note in ACTIVITY_REPORTS:
        unit = units.get(unit_name)
        if unit is None:
            continue
        report = ActivityReport.objects.filter(campaign=campaign, unit=unit, title=title).first()
        if report is None:
            report = ActivityReport(campaign=campaign, unit=unit, title=title)
        report.audience, report.people, report.note = audience, people, note
        report.held_on = datetime.date(2026, 6, day)
        services.save_activity_report(report=report)


def _fill_ledger():
    """Record what the other demos made and the ledger does not hold yet, through the receivers:
    the sheets in batches through the bulk path (a demo may simulate hundreds of thousands), the
    rest one by one. Only one batch of sources is read at a time."""
    AnswerSheet = apps.get_model("quizzes", "AnswerSheet")
    sheets = AnswerSheet.objects.finished().filter(contest__campaign__isnull=False).order_by("pk")
    after = 0
    while batch := list(sheets.filter(pk__gt=after).values_list("pk", "public_id")[:LEDGER_BATCH]):
        after = batch[-1][0]
        sources = {receivers.SHEET_SOURCE.format(public_id): pk for pk, public_id in batch}
        missing = [sources[source] for source in _unrecorded(sources)]
        if missing:
            receivers.record_sheets(sheet_ids=missing)
        # With DEBUG on (make run) the connection keeps every query's SQL, a batch's bulk upsert
        # among them (a megabyte each): let them go with the batch.
        reset_queries()
    Registration = apps.get_model("events", "Registration")
    registrations = {
        receivers.REGISTRATION_SOURCE.format(registration.pk): registration
        for registration in Registration.objects.filter(event__campaign__isnull=False).only("pk")
    }
    for source in _unrecorded(registrations):
        receivers.record_registration(registration=registrations[source])
    EventPage = apps.get_model("events", "EventPage")
    for event in EventPage.objects.filter(campaign__isnull=False, attendance__isnull=False).distinct():
        receivers.record_attendance(event=event)


def _unrecorded(sources):
    """Those of ``sources`` the ledger has no entry for, in their order."""
    sources = list(sources)
    recorded = set()
    for start in range(0, len(sources), LEDGER_BATCH):
        chunk = sources[start : start + LEDGER_BATCH]
        recorded.update(ParticipationEntry.objects.filter(source__in=chunk).values_list("source", flat=True))
    return [source for source in sources if source not in recorded]


def _set_expected(unit, campaign, audience, expected):
    Headcount.objects.update_or_create(
        unit=unit, campaign=campaign, audience=audience, defaults={"expected": max(1, expected)}
    )


def _tell_the_story(campaign):
    """Adjust the campaign's headcounts from what the ledger holds now."""
    report = selectors.campaign_report(campaign=campaign)
    nodes = [node for node in report.nodes() if node.unit.kind in selectors.MEMBER_KINDS]
    schools = sorted(
        (n for n in nodes if n.unit.kind == UnitKind.SCHOOL and n.own.participants >= 2), key=lambda n: n.unit.name
    )
    for index, node in enumerate(schools):
        people = node.own.participants
        if index == 0:
            # One school brought more than it expected: 112 %, shown as it is.
            _set_expected(
                node.unit, campaign, AudienceGroup.STUDENTS, min(people - 1, math.floor(people / OVER_FULL_RATE))
            )
        elif index % 2:
            _set_expected(node.unit, campaign, AudienceGroup.STUDENTS, math.ceil(people / HIGH_SCHOOL_RATE))
        else:
            # The others between 40 % and 70 %, so the ranking has a middle.
            rate = MIDDLE_SCHOOL_RATES[(index // 2) % len(MIDDLE_SCHOOL_RATES)]
            _set_expected(node.unit, campaign, AudienceGroup.STUDENTS, math.ceil(people / rate))
    # Elsewhere (government bodies with a small random headcount and a big activity) keep to 95 %,
    # so the one school above is the unit over 100 %.
    for node in nodes:
        if node.unit.kind != UnitKind.SCHOOL and node.own.over_full:
            for audience, people in node.own.participants_by_audience.items():
                _set_expected(node.unit, campaign, audience, math.ceil(people / 0.95))
    Headcount.objects.filter(campaign=campaign, unit__name=NO_HEADCOUNT_UNIT).delete()


@transaction.atomic
def load_demo_participation():
    campaign = demo_campaign()
    _activity_reports(campaign)
    _fill_ledger()
    _tell_the_story(campaign)
    return campaign
