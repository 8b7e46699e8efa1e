"""Class rosters under retention (issue 9, PIPL): the daily purge deletes roster entries imported
more than ROSTER_RETENTION_DAYS ago (365 by default), counted and audit-logged per unit, and one
person's lookup, export and deletion include their roster entries."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.people import DELETE_ACTION, LOOKUP_ACTION
from outreach import privacy
from quizzes.models import RosterEntry
from quizzes.privacy import ROSTER_PURGE_ACTION

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 9, 1)


@pytest.fixture
def school(db):
    town = UnitFactory(kind=UnitKind.TOWN, name="名单测试镇")
    return UnitFactory(kind=UnitKind.SCHOOL, name="名单测试小学", parent=town)


@pytest.fixture
def other_school(school):
    return UnitFactory(kind=UnitKind.SCHOOL, name="名单测试中学", parent=school.parent)


def roster_entry(unit, name, *, days_before_today, class_name="三年级一班"):
    entry = RosterEntry.objects.create(unit=unit, class_name=class_name, name=name)
    created = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(9))) - datetime.timedelta(
        days=days_before_today
    )
    RosterEntry.objects.filter(pk=entry.pk).update(created_at=created)
    return entry


@pytest.fixture
def rosters(school, other_school):
    return {
        "old": roster_entry(school, "张小明", days_before_today=400),
        "old_elsewhere": roster_entry(other_school, "李华", days_before_today=366),
        "recent": roster_entry(school, "王芳", days_before_today=100),
    }


def _names():
    return sorted(RosterEntry.objects.values_list("name", flat=True))


def test_the_purge_deletes_roster_entries_older_than_a_year_and_logs_each_unit(rosters, school, other_school):
    results = privacy.purge_personal_data(today=TODAY)
    assert results.roster_entries == 2
    assert _names() == ["王芳"]
    assert results.rosters_created_before == timezone.make_aware(datetime.datetime(2026, 9, 1))
    logs = {entry.object_id: entry.data for entry in ModelLogEntry.objects.filter(action=ROSTER_PURGE_ACTION)}
    assert {key: data["roster_entries"] for key, data in logs.items()} == {str(school.pk): 1, str(other_school.pk): 1}
    assert "张小明" not in str(logs)

    again = privacy.purge_personal_data(today=TODAY)
    assert again.roster_entries == 0
    assert ModelLogEntry.objects.filter(action=ROSTER_PURGE_ACTION).count() == 2


def test_an_entry_of_exactly_the_retention_is_kept_until_the_next_day(school):
    roster_entry(school, "赵强", days_before_today=365)
    assert privacy.purge_personal_data(today=TODAY).roster_entries == 0
    assert privacy.purge_personal_data(today=TODAY + datetime.timedelta(days=1)).roster_entries == 1


@override_settings(ROSTER_RETENTION_DAYS=30)
def test_the_roster_retention_is_a_setting(rosters):
    assert privacy.purge_personal_data(today=TODAY).roster_entries == 3
    assert _names() == []


def test_a_dry_run_only_counts_the_roster_entries(rosters):
    assert privacy.purge_personal_data(today=TODAY, dry_run=True).roster_entries == 2
    assert _names() == ["张小明", "李华", "王芳"]
    assert not ModelLogEntry.objects.filter(action=ROSTER_PURGE_ACTION).exists()


def test_the_run_is_still_the_list_of_campaign_results(rosters):
    results = privacy.purge_personal_data(today=TODAY)
    assert isinstance(results, list)
    assert all(isinstance(result, privacy.PurgeResult) for result in results)


# One person's data ----------------------------------------------------------------------------


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user(username="roster-privacy", password="x", is_staff=True)


def test_the_lookup_by_unit_and_name_finds_the_roster_entries_and_deletes_them(officer, rosters, school):
    found = privacy.find_person(user=officer, unit=school, name="张 小明")
    assert found and found.participants == [] and found.roster_entries == [rosters["old"]]
    assert ModelLogEntry.objects.get(action=LOOKUP_ACTION).data["roster_entries"] == 1

    header, rows = privacy.export_rows(user=officer, found=found, unit=school, name="张 小明")
    assert [row[:4] for row in rows] == [["班级名单", "张小明", "名单测试小学", "三年级一班"]]

    assert privacy.delete_person(user=officer, found=found, unit=school, name="张 小明") == (0, 0)
    assert _names() == ["李华", "王芳"]
    log = ModelLogEntry.objects.get(action=DELETE_ACTION)
    assert log.data["roster_entries"] == 1 and "张小明" not in str(log.data)


def test_a_lookup_finds_only_that_units_entries_and_none_by_phone(officer, rosters, school, other_school):
    assert not privacy.find_person(user=officer, unit=school, name="李华")
    assert privacy.find_person(user=officer, unit=other_school, name="李华").roster_entries == [
        rosters["old_elsewhere"]
    ]
    assert privacy.find_person(user=officer, phone="13900000009").roster_entries == []


def test_deleting_from_the_admin_page_deletes_the_roster_entry(client, django_user_model, rosters, school):
    user = django_user_model.objects.create_superuser(username="roster-admin", password="x")
    client.force_login(user)
    response = client.post(reverse("outreach_personal_data"), {"unit": school.pk, "name": "张小明", "action": "delete"})
    assert response.status_code == 302
    assert not RosterEntry.objects.filter(name="张小明").exists()
