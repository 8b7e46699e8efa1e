"""Who sees what: every role against every staff report, export, check-in page and the unit admin,
for units inside and outside its scope. Asserts the status and that no unit or person outside
the scope appears anywhere in the response (names in full and masked 张*明)."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core.privacy import mask_name
from events import services as event_services
from events.factories import EventIndexPageFactory, EventPageFactory
from home import services as home_services
from home.factories import TopicFactory
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.scopes import LIAISON_GROUP, assign_scope, setup_liaison_group
from participation.factories import CampaignFactory, EntryFactory
from quizzes.choices import Level, QuestionKind
from quizzes.factories import (
    ContestIndexPageFactory,
    ContestPageFactory,
    DrawRuleFactory,
    ParticipantFactory,
    QuestionFactory,
)
from quizzes.services.answering import submit_answer_sheet
from quizzes.services.drawing import start_answer_sheet

from .exporting import latest_job, run_queued_exports

ROLES = ("superuser", "admin", "reviewer", "editor", "town", "school", "anonymous")
UNSCOPED = ("superuser", "admin")


@pytest.fixture
def world(home_page, django_user_model):
    city = UnitFactory(kind=UnitKind.CITY, name="权限市", parent=None)
    town_a = UnitFactory(kind=UnitKind.TOWN, name="权限甲街道", parent=city)
    town_b = UnitFactory(kind=UnitKind.TOWN, name="权限乙镇", parent=city)
    school_a = UnitFactory(kind=UnitKind.SCHOOL, name="权限甲小学", parent=town_a)
    community_a = UnitFactory(kind=UnitKind.COMMUNITY, name="权限甲社区", parent=town_a)
    school_b = UnitFactory(kind=UnitKind.SCHOOL, name="权限乙小学", parent=town_b)
    units = {"city": city, "town_a": town_a, "town_b": town_b, "a1": school_a, "a2": community_a, "b1": school_b}

    campaign = CampaignFactory(name="权限测试安全月")
    for unit in (school_a, community_a, school_b):
        EntryFactory(campaign=campaign, unit=unit)

    topic = TopicFactory(slug="scope-questions", name="权限测试题目")
    for n in range(2):
        QuestionFactory(
            key=f"scope-{n}",
            kind=QuestionKind.SINGLE,
            level=Level.PRIMARY,
            topic=topic,
            choices=[("错", False), ("对", True)],
        )
    contest_index = ContestIndexPageFactory(parent=home_page)
    contest = ContestPageFactory(
        parent=contest_index,
        allowed_unit_kinds=[UnitKind.SCHOOL, UnitKind.COMMUNITY],
        campaign=campaign,
    )
    DrawRuleFactory(contest=contest, kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=topic, count=2)
    # One person per unit; names share no character, so masked names (周*明) are distinct too.
    people = {"a1": "周晓明", "a2": "吴建国", "b1": "郑海涛"}
    for key, name in people.items():
        participant = ParticipantFactory(unit=units[key], name=name, phone="")
        sheet = start_answer_sheet(contest=contest, participant=participant)
        submit_answer_sheet(public_id=sheet.public_id, participant=participant)

    event_index = EventIndexPageFactory(parent=home_page, title="权限测试活动")
    event_index.save_revision().publish()
    starts_at = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    event = EventPageFactory(
        parent=event_index,
        organiser=city,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        registration_enabled=True,
        capacity=50,
    )
    event.save_revision().publish()
    event.refresh_from_db()
    registrants = {"a1": "钱一鸣", "b1": "孙二娘", None: "李自来"}
    registrations = {}
    for number, (key, name) in enumerate(registrants.items()):
        registration, _token = event_services.register(
            event=event,
            occurrence_date=timezone.localtime(event.starts_at).date(),
            name=name,
            phone=f"1390000000{number}",
            unit=units[key] if key else None,
            adult_or_guardian_consent=True,
        )
        registrations[key] = registration

    setup_liaison_group()
    users = {}
    users["superuser"] = django_user_model.objects.create_superuser(username="scope-super", password="x" * 12)
    for role, group_name in (
        ("admin", home_services.ADMIN_GROUP),
        ("reviewer", home_services.REVIEWER_GROUP),
        ("editor", home_services.EDITOR_GROUP),
        ("town", LIAISON_GROUP),
        ("school", LIAISON_GROUP),
    ):
        user = django_user_model.objects.create_user(username=f"scope-{role}", password="x" * 12)
        user.groups.add(Group.objects.get(name=group_name))
        users[role] = user
    assign_scope(user=users["town"], unit=town_a)
    assign_scope(user=users["school"], unit=school_a)
    return {
        "units": units,
        "campaign": campaign,
        "contest": contest,
        "event": event,
        "people": people,
        "registrants": registrants,
        "registrations": registrations,
        "users": users,
    }


# Per scoped role: the unit keys it may see (its subtree), and those it may name as ancestors.
VISIBLE = {"town": {"town_a", "a1", "a2"}, "school": {"a1"}}
ANCESTORS = {"town": {"city"}, "school": {"city", "town_a"}}


def forbidden_strings(world, role):
    """Names that must not appear for ``role``: units outside its subtree (not its ancestors) and
    the people of units outside it (and people with no unit), in full and masked."""
    if role not in VISIBLE:
        return []
    allowed = VISIBLE[role] | ANCESTORS[role]
    strings = [unit.name for key, unit in world["units"].items() if key not in allowed]
    for key, name in world["people"].items():
        if key not in VISIBLE[role]:
            strings += [name, mask_name(name)]
    for key, name in world["registrants"].items():
        if key not in VISIBLE[role]:
            strings += [name, mask_name(name)]
    return strings


def client_for(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def status_for(role, *, needs, in_scope=True):
    """The expected status: anonymous → 302 (login); without the permission → ``denied``;
    a scoped role asking outside its scope → 403; else 200."""
    if role == "anonymous":
        return 302
    permitted, denied = needs
    if role not in permitted:
        return denied
    if role in VISIBLE and not in_scope:
        return 403
    return 200


REPORT = (set(UNSCOPED) | {"town", "school"}, 403)
# 审核 (content reviewers) review the question bank, not participants: no sheets, no names.
SHEETS = (set(UNSCOPED) | {"town", "school"}, 302)
CHECK_IN = (set(UNSCOPED) | {"town", "school"}, 403)
UNIT_ADMIN = (set(UNSCOPED) | {"town", "school"}, 302)


def assert_response(response, world, role, expected):
    assert response.status_code == expected, (role, response.status_code, getattr(response, "url", ""))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        rows = load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True)
        text = "\n".join(" ".join(str(cell) for cell in row if cell is not None) for row in rows)
    else:
        text = body.decode()
    for string in forbidden_strings(world, role):
        assert string not in text, (role, string)
    if expected == 403 and role in VISIBLE:
        assert "不在您负责的范围内" in text or "没有" in text


def dashboard_cases(world):
    units = world["units"]
    yield "city", None, {"town": True, "school": True}
    for key in ("town_a", "a1", "a2", "town_b", "b1"):
        yield key, units[key], {role: key in VISIBLE[role] for role in VISIBLE}


@pytest.mark.parametrize("role", ROLES)
def test_dashboard(client, world, role):
    client = client_for(client, world, role)
    for _key, unit, in_scope in dashboard_cases(world):
        params = {"campaign": world["campaign"].pk}
        if unit is not None:
            params["unit"] = unit.pk
        response = client.get(reverse("participation_dashboard"), params)
        expected = status_for(role, needs=REPORT, in_scope=in_scope.get(role, True))
        assert_response(response, world, role, expected)
        if expected == 200 and role in VISIBLE:
            html = response.content.decode()
            assert "未填写单位" not in html
            own = world["units"]["town_a" if role == "town" else "a1"]
            assert own.name in html
            if role == "school":
                assert "全市" not in html.split("<main", 1)[-1].split("participation-breadcrumbs", 1)[-1][:200]


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_exports(client, world, role, monkeypatch):
    """Each table export is scoped as the dashboard is, and so is the file the worker writes."""
    client = client_for(client, world, role)
    for _key, unit, in_scope in dashboard_cases(world):
        for table in ("ledger", "coverage"):
            params = {"campaign": world["campaign"].pk, "table": table, "format": "xlsx"}
            if unit is not None:
                params["unit"] = unit.pk
            response = client.post(reverse("participation_export_start"), params)
            expected = status_for(role, needs=REPORT, in_scope=in_scope.get(role, True))
            if expected != 200:
                assert_response(response, world, role, expected)
                continue
            assert response.status_code == 302, (role, table, response.status_code)
            run_queued_exports(monkeypatch)
            job = latest_job()
            assert job.status == "done", job.error
            assert_response(client.get(reverse("participation_export_download", args=[job.pk])), world, role, 200)


@pytest.mark.parametrize("role", ROLES)
def test_another_accounts_export(client, world, role, monkeypatch):
    """An export is the requester's alone: every other account gets 404 for its page and its file."""
    owner = Client()
    owner.force_login(world["users"]["superuser"])
    owner.post(
        reverse("participation_export_start"), {"campaign": world["campaign"].pk, "table": "ledger", "format": "csv"}
    )
    run_queued_exports(monkeypatch)
    job = latest_job()
    client = client_for(client, world, role)
    expected = status_for(role, needs=REPORT)
    if expected == 200 and role != "superuser":
        expected = 404  # may see the reports, not another account's export
    for name in ("participation_export", "participation_export_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == expected, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_contest_reports_sheets_and_export(client, world, role):
    client = client_for(client, world, role)
    contest = world["contest"]
    expected = status_for(role, needs=SHEETS)
    for url in (
        reverse("quizzes_reports"),
        reverse("quizzes_report", args=[contest.pk]),
        reverse("quizzes_export", args=[contest.pk]),
        # A filter cannot reach outside the scope.
        reverse("quizzes_report", args=[contest.pk]) + "?unit_q=权限乙",
    ):
        response = client.get(url)
        assert_response(response, world, role, expected)
    if expected == 200:
        html = client.get(reverse("quizzes_report", args=[contest.pk])).content.decode()
        visible = {"town": 2, "school": 1}.get(role, 3)
        assert f"参与 {visible} 人，答卷 {visible} 份" in html
        for key, name in world["people"].items():
            if role not in VISIBLE or key in VISIBLE[role]:
                assert mask_name(name) in html and name not in html


@pytest.mark.parametrize("role", ROLES)
def test_check_in_pages(client, world, role):
    client = client_for(client, world, role)
    event = world["event"]
    response = client.get(event.url + "check-in/")
    assert_response(response, world, role, status_for(role, needs=CHECK_IN))
    for key, registration in world["registrations"].items():
        in_scope = key is not None and key in VISIBLE.get(role, {key})
        url = event.url + f"check-in/{registration.public_id}/"
        expected = status_for(role, needs=CHECK_IN, in_scope=in_scope)
        assert_response(client.get(url), world, role, expected)
        posted = client.post(url)
        if expected == 200:
            assert posted.status_code == 302
            registration.refresh_from_db()
            assert registration.checked_in_at is not None
        else:
            assert posted.status_code == expected
            registration.refresh_from_db()
            assert registration.checked_in_at is None


@pytest.mark.parametrize("role", ROLES)
def test_unit_admin(client, world, role):
    client = client_for(client, world, role)
    listing = client.get(reverse("wagtailsnippets_organizations_unit:list"), {"q": "权限"})
    assert_response(listing, world, role, status_for(role, needs=UNIT_ADMIN))
    headcounts = client.get(reverse("wagtailsnippets_organizations_headcount:list"))
    assert_response(headcounts, world, role, status_for(role, needs=UNIT_ADMIN))
    if role in VISIBLE:
        html = client.get(reverse("wagtailsnippets_organizations_unit:list")).content.decode()
        for key in VISIBLE[role]:
            assert world["units"][key].name in html
        # No editing, import or export for a liaison; another unit's pages are refused.
        for key, unit in world["units"].items():
            for name in ("edit", "delete", "history", "usage"):
                response = client.get(reverse(f"wagtailsnippets_organizations_unit:{name}", args=[unit.pk]))
                assert response.status_code in (302, 403), (name, key)
                assert_response(response, world, role, response.status_code)
            poster = client.get(reverse("organizations:poster", args=[unit.pk]))
            assert poster.status_code == (200 if key in VISIBLE[role] else 403)
        for name in (
            "organizations_export",
            "organizations_import_units",
            "wagtailsnippets_organizations_staffscope:list",
        ):
            assert client.get(reverse(name)).status_code in (302, 403), name


def test_the_demo_liaisons_are_scoped(db):
    from django.contrib.auth import get_user_model

    from organizations.scopes import scope_unit

    users = get_user_model().objects.filter(username__in=["xuexiao", "jiedao"]).order_by("username")
    assert [(user.username, scope_unit(user).name) for user in users] == [
        ("jiedao", "水集街道"),
        ("xuexiao", "莱西市实验小学"),
    ]
    group = Group.objects.get(name=LIAISON_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_report", "view_answersheet", "change_registration", "view_unit", "access_admin"} <= codenames
    assert not codenames & {"change_unit", "add_unit", "delete_unit", "change_staffscope"}
    assert Permission.objects.filter(codename="view_staffscope").exists()
