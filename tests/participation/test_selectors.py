import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.factories import UnitFactory
from organizations.models import AudienceGroup, UnitKind
from organizations.people import person_key
from participation import selectors
from participation.choices import Channel
from participation.factories import ActivityReportFactory, EntryFactory
from participation.selectors import Figures, Filters

from .conftest import build_tree, headcount

ADDITIVE = Figures._ADDITIVE


def sheet(campaign, unit, *, name, class_name="三年级一班", score=80, **extra):
    return EntryFactory(
        campaign=campaign,
        unit=unit,
        person_key=person_key(unit_id=unit.pk, name=name, class_name=class_name),
        class_name=class_name,
        score=score,
        **extra,
    )


def test_one_person_with_two_sheets_or_two_cookies_counts_once(campaign, tree):
    school = tree.units[0]
    # Two sheets (two attempts, or two cookies on two phones) by the same child, typed differently.
    sheet(campaign, school, name="张小明", score=60)
    sheet(campaign, school, name="张 小明", class_name="三年级一班 ", score=100)
    sheet(campaign, school, name="李华")
    figures = selectors.figures_for(campaign=campaign, unit=school)
    assert figures.sheets == 3
    assert figures.contest_people == 2
    assert figures.participants == 2
    assert figures.rate == pytest.approx(20.0)


def test_a_sheet_and_a_check_in_by_the_same_key_count_once(campaign, tree):
    school = tree.units[0]
    key = person_key(unit_id=school.pk, name="王芳")
    EntryFactory(campaign=campaign, unit=school, person_key=key)
    EntryFactory(
        campaign=campaign, unit=school, channel=Channel.EVENT_CHECKIN, person_key=key, source="events.checkin:1"
    )
    figures = selectors.figures_for(campaign=campaign, unit=school)
    assert (figures.participants, figures.contest_people, figures.checked_in_people) == (1, 1, 1)


def test_counted_entries_add_people_and_registrations_do_not_count(campaign, tree):
    school = tree.units[0]
    EntryFactory(campaign=campaign, unit=school, channel=Channel.EVENT_ATTENDANCE, person_key="", people=30)
    EntryFactory(campaign=campaign, unit=school, channel=Channel.EVENT_REGISTRATION, person_key="", people=8)
    ActivityReportFactory(campaign=campaign, unit=school, people=5)
    figures = selectors.figures_for(campaign=campaign, unit=school)
    assert figures.participants == 35
    assert (figures.registrations, figures.registered_people) == (1, 8)
    assert figures.reached_parts == {"contest": 0, "checkin": 0, "attendance": 30, "activity": 5}


def test_rate_flags_missing_denominator_and_over_full_uncapped(campaign, tree):
    school, community = tree.units[0], tree.units[2]
    for n in range(13):
        sheet(campaign, school, name=f"学生{n}")
    sheet(campaign, community, name="居民甲", audience=AudienceGroup.RESIDENTS)
    report = selectors.campaign_report(campaign=campaign)
    over = report.figures(school)
    assert over.rate == pytest.approx(130.0)  # not capped at 100
    assert over.over_full and not over.missing_denominator
    missing = report.figures(community)
    assert missing.rate is None and missing.missing_denominator and not missing.over_full
    assert missing.units_without_headcount == 1
    # A town with a missing unit still has a rate, and says how many units lack a headcount.
    town = report.figures(tree.towns[0])
    assert town.expected == 20 and town.units_without_headcount == 1
    assert town.participants == 14


def test_scores(campaign, tree):
    school = tree.units[0]
    sheet(campaign, school, name="甲", score=100)
    sheet(campaign, school, name="乙", score=50)
    figures = selectors.figures_for(campaign=campaign, unit=school)
    assert figures.mean_score == pytest.approx(75.0)
    assert figures.pass_rate == pytest.approx(50.0)
    assert figures.full_marks_sheets == 1


def _fill(campaign, tree):
    """Some of everything, everywhere, including entries on the city itself and with no unit."""
    for index, unit in enumerate(tree.units):
        for n in range(index % 3 + 1):
            sheet(campaign, unit, name=f"{unit.name}{n}", score=40 + 20 * n)
        if index % 2:
            EntryFactory(campaign=campaign, unit=unit, channel=Channel.EVENT_ATTENDANCE, person_key="", people=7)
            EntryFactory(campaign=campaign, unit=unit, channel=Channel.EVENT_REGISTRATION, person_key="", people=3)
    government = UnitFactory(kind=UnitKind.GOVERNMENT, name="测试市应急局", parent=tree.city)
    headcount(government, campaign, 50)
    ActivityReportFactory(campaign=campaign, unit=government, people=40)
    ActivityReportFactory(campaign=campaign, unit=tree.city, people=9, audience=AudienceGroup.RESIDENTS)
    EntryFactory(
        campaign=campaign, unit=None, channel=Channel.EVENT_CHECKIN, person_key="", people=2, source="events.checkin:x"
    )


def _values(figures):
    return {name: getattr(figures, name) for name in ADDITIVE} | {
        "participants_by_audience": figures.participants_by_audience,
        "expected_by_audience": figures.expected_by_audience,
    }


def _sum(figures_list):
    total = Figures()
    for figures in figures_list:
        total.add(figures)
    return total


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(kind=UnitKind.SCHOOL),
        Filters(audience=AudienceGroup.STUDENTS),
        Filters(date_to=datetime.date(2026, 6, 30)),
    ],
)
def test_city_is_the_sum_of_towns_and_of_units(campaign, tree, filters):
    _fill(campaign, tree)
    report = selectors.campaign_report(campaign=campaign, filters=filters)
    city_node = report.node(tree.city)
    # The city's children (towns and city bodies) plus what is recorded on the city itself.
    children = _sum([child.total for child in city_node.children] + [city_node.own])
    assert _values(children) == _values(city_node.total)
    # Every unit's own figures add up to the city.
    assert _values(_sum(node.own for node in city_node.walk())) == _values(city_node.total)
    for town in tree.towns:
        node = report.node(town)
        assert _values(_sum(child.own for child in node.walk())) == _values(node.total)
    # All cities (the demo's has no entries in this campaign) plus the entries with no unit.
    assert _values(report.city) == _values(_sum([root.total for root in report.roots] + [report.unassigned]))
    assert report.city.participants == city_node.total.participants + report.unassigned.participants


def test_city_numbers_against_the_ledger(campaign, tree):
    _fill(campaign, tree)
    city = selectors.figures_for(campaign=campaign)
    # 6 units with 1, 2, 3, 1, 2, 3 sheets by different people; 3 units with attendance 7 each;
    # 40 + 9 activity people; 2 checked in without a unit.
    assert city.sheets == 12
    assert city.contest_people == 12
    assert city.attendance_people == 21
    assert city.activity_people == 49
    assert city.checked_in_people == 2
    assert city.participants == 12 + 21 + 49 + 2
    assert city.registered_people == 9
    assert city.expected == 4 * 10 + 50


def test_rankings_coverage_trend_topics_and_classes(campaign, tree):
    first, second, community = tree.units[0], tree.units[1], tree.units[2]
    sheet(campaign, first, name="甲", class_name="一班", score=90, topic_results={"7": [1, 4], "8": [3, 3]})
    sheet(campaign, first, name="乙", class_name="二班", score=70, topic_results={"7": [1, 2]})
    sheet(campaign, second, name="丙", score=100, occurred_at=datetime.datetime(2026, 6, 12, 9, tzinfo=datetime.UTC))
    report = selectors.campaign_report(campaign=campaign)
    schools = selectors.rankings(report, tree.city, kind=UnitKind.SCHOOL)
    assert [node.unit for node in schools["by_rate"][:2]] == [first, second]
    assert schools["by_score"][0].unit == second

    coverage = selectors.coverage(report, tree.city)
    uncovered = {row["unit"] for row in coverage["units"]}
    assert community in uncovered and first not in uncovered
    assert {row["town"] for row in coverage["towns"]} == set(tree.towns)

    trend = selectors.daily_trend(report, tree.city)
    assert len(trend) == 30
    by_day = {day["day"]: day["sheets"] for day in trend}
    assert by_day[datetime.date(2026, 6, 10)] == 2 and by_day[datetime.date(2026, 6, 12)] == 1

    weak = selectors.weak_topics(report, tree.city)
    assert weak["overall"][0] == {"topic_id": 7, "correct": 2, "total": 6, "rate": pytest.approx(100 / 3)}
    assert dict(weak["by_kind"])[UnitKind.SCHOOL][0]["topic_id"] == 7

    classes = selectors.class_breakdown(report, first)
    assert [(row["class_name"], row["people"], row["mean_score"]) for row in classes] == [
        ("一班", 1, pytest.approx(90.0)),
        ("二班", 1, pytest.approx(70.0)),
    ]


def test_query_count_does_not_grow_with_units(campaign):
    def count(name, towns, per_town):
        tree = build_tree(campaign, towns=towns, per_town=per_town, name=name)
        _fill(campaign, tree)
        school = tree.units[0]
        with CaptureQueriesContext(connection) as queries:
            selectors.dashboard(campaign=campaign, unit=None)
            selectors.dashboard(campaign=campaign, unit=tree.towns[0])
            selectors.dashboard(campaign=campaign, unit=school)
        return len(queries)

    small = count("小测试市", 1, 1)
    large = count("大测试市", 6, 5)
    assert small == large
