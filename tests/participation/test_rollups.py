"""The reports read per-unit rollups kept from the ledger: they must give exactly the ledger's
numbers, right after any write, move or withdrawal, and under concurrent writers on PostgreSQL."""

import datetime

import pytest
from django.utils import timezone

from organizations.models import AudienceGroup
from organizations.people import person_key
from participation import selectors, services
from participation.choices import Channel
from participation.factories import EntryFactory
from participation.models import ChannelRollup, ParticipationEntry, StaleRollup, TopicRollup

from .test_selectors import _fill, _values, sheet


@pytest.fixture
def ledger_only(monkeypatch):
    """Reports computed straight from the ledger, as they are under a date range."""

    def read(**kwargs):
        monkeypatch.setattr(selectors, "_reads_ledger", lambda filters: True)
        try:
            return selectors.dashboard(**kwargs)
        finally:
            monkeypatch.undo()

    return read


def _comparable(dashboard):
    report = dashboard["report"]
    return {
        "units": {node.unit.pk: _values(node.own) for node in report.nodes()},
        "unassigned": _values(report.unassigned),
        "trend": dashboard["trend"],
        "topics": dashboard["weak_topics"],
        "coverage": [row["unit"].pk for row in dashboard["coverage"]["units"]],
    }


def _with_topics(campaign, tree):
    for index, unit in enumerate(tree.units[:4]):
        sheet(
            campaign,
            unit,
            name=f"答题{index}",
            topic_results={"7": [index % 3, 3], "9": [1, 2]},
            occurred_at=timezone.make_aware(datetime.datetime(2026, 6, 3 + index, 9)),
        )


@pytest.mark.parametrize("scope", ["city", "town", "school"])
def test_the_rollups_give_the_ledgers_numbers(campaign, tree, ledger_only, scope):
    _fill(campaign, tree)
    _with_topics(campaign, tree)
    unit = {"city": None, "town": tree.towns[0], "school": tree.units[0]}[scope]
    from_rollups = selectors.dashboard(campaign=campaign, unit=unit)
    assert ChannelRollup.objects.filter(campaign=campaign).exists()
    assert not StaleRollup.objects.filter(campaign=campaign).exists()
    assert _comparable(from_rollups) == _comparable(ledger_only(campaign=campaign, unit=unit))
    assert from_rollups["weak_topics"]["overall"][0]["topic_id"] == 7


def test_a_write_after_a_read_shows_at_once(campaign, tree):
    school = tree.units[0]
    sheet(campaign, school, name="第一位", score=100)
    assert selectors.figures_for(campaign=campaign, unit=school).participants == 1
    sheet(campaign, school, name="第二位", score=50)
    figures = selectors.figures_for(campaign=campaign, unit=school)
    assert (figures.participants, figures.sheets, figures.mean_score) == (2, 2, pytest.approx(75.0))


def test_an_entry_moved_to_another_unit_or_withdrawn_leaves_no_trace(campaign, tree):
    first, second = tree.units[0], tree.units[3]
    entry = sheet(campaign, first, name="转学生", topic_results={"5": [2, 2]})
    assert selectors.figures_for(campaign=campaign, unit=first).sheets == 1
    # The same source recorded again under another unit (a corrected sheet) moves its numbers.
    services.record_participation(
        source=entry.source,
        campaign=campaign,
        unit=second,
        channel=Channel.CONTEST,
        audience=AudienceGroup.STUDENTS,
        person_key=person_key(unit_id=second.pk, name="转学生", class_name="三年级一班"),
        occurred_at=entry.occurred_at,
        score=80,
        max_score=100,
        passed=True,
        full_marks=False,
        topic_results={"5": [2, 2]},
    )
    report = selectors.campaign_report(campaign=campaign)
    assert (report.figures(first).sheets, report.figures(second).sheets) == (0, 1)
    assert not TopicRollup.objects.filter(campaign=campaign, unit=first).exists()

    services.withdraw_participation(source=entry.source)
    assert selectors.figures_for(campaign=campaign, unit=second).sheets == 0
    assert selectors.figures_for(campaign=campaign).sheets == 0


def test_a_registration_of_nobody_in_particular_is_in_the_city_only(campaign, tree):
    EntryFactory(
        campaign=campaign, unit=None, channel=Channel.EVENT_CHECKIN, person_key="", people=3, source="events.checkin:1"
    )
    report = selectors.campaign_report(campaign=campaign)
    assert report.city.checked_in_people == 3 and report.city.participants == 3
    assert report.figures(tree.towns[0]).participants == 0
    services.withdraw_participation(source="events.checkin:1")
    assert selectors.campaign_report(campaign=campaign).city.participants == 0


def test_rebuild_rollups_repairs_bulk_loaded_entries(campaign, tree):
    school = tree.units[0]
    ParticipationEntry.objects.bulk_create(
        [
            ParticipationEntry(
                campaign=campaign, unit=school, source=f"bulk:{n}", channel=Channel.ACTIVITY,
                audience=AudienceGroup.STUDENTS, people=10, occurred_at=timezone.now(), occurred_on=timezone.localdate(),
            )
            for n in range(3)
        ]
    )  # fmt: skip
    assert selectors.figures_for(campaign=campaign, unit=school).activity_people == 0  # no service, no marker
    services.rebuild_rollups(campaign=campaign)
    assert selectors.figures_for(campaign=campaign, unit=school).activity_people == 30
