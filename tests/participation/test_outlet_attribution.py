"""The dashboard's 合作媒体 section: per outlet, the embed page views, contest participants and
handed-in sheets, and event registrations that came through its snippet in the dashboard's dates;
shown to city staff, never to a liaison (the figures are city-wide)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from core import attribution
from core.models import MediaOutlet, OutletPageView
from events.factories import EventIndexPageFactory, EventPageFactory, RegistrationFactory
from home.factories import TopicFactory
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.scopes import LIAISON_GROUP, assign_scope, setup_liaison_group
from participation.factories import CampaignFactory
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

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("only_own_outlets")]

URL = reverse("participation_dashboard")
SECTION = "<h3>合作媒体</h3>"


@pytest.fixture
def campaign(db):
    # Around today: sheets, registrations and views are made now.
    today = timezone.localdate()
    return CampaignFactory(
        name="测试媒体宣传月",
        starts_on=today - datetime.timedelta(days=10),
        ends_on=today + datetime.timedelta(days=10),
    )


@pytest.fixture
def outlets(db):
    return {
        "news": MediaOutlet.objects.create(name="莱西新闻网", allowed_origins="https://news.example.cn"),
        "evening": MediaOutlet.objects.create(name="青岛晚报", allowed_origins="https://wb.example.cn"),
        "quiet": MediaOutlet.objects.create(name="半岛都市报", allowed_origins="https://bd.example.cn"),
        "old": MediaOutlet.objects.create(name="停用的电视台", allowed_origins="https://tv.example.cn"),
        "gone": MediaOutlet.objects.create(name="停用的广播", allowed_origins="https://fm.example.cn", is_active=False),
    }


@pytest.fixture
def school(db):
    return UnitFactory(kind=UnitKind.SCHOOL, name="测试媒体小学")


@pytest.fixture
def contest(home_page, campaign):
    topic = TopicFactory(slug="outlet-questions", name="媒体测试题目")
    for n in range(5):
        QuestionFactory(
            key=f"outlet-single-{n}",
            kind=QuestionKind.SINGLE,
            level=Level.PRIMARY,
            topic=topic,
            choices=[(f"错{n}", False), (f"对{n}", True)],
        )
    contest = ContestPageFactory(
        parent=ContestIndexPageFactory(parent=home_page), campaign=campaign, attempts_per_day=3, attempts_total=3
    )
    DrawRuleFactory(contest=contest, kind=QuestionKind.SINGLE, level=Level.PRIMARY, topic=topic, count=5, points=20)
    return contest


@pytest.fixture
def event(home_page):
    return EventPageFactory(parent=EventIndexPageFactory(parent=home_page))


def _sheet(contest, participant, outlet, *, submit=True):
    sheet = start_answer_sheet(contest=contest, participant=participant, outlet=outlet)
    if submit:
        submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers={})
    return sheet


@pytest.fixture
def through_outlets(outlets, contest, event, school, django_capture_on_commit_callbacks):
    news, evening, old = outlets["news"], outlets["evening"], outlets["old"]
    first, second = ParticipantFactory(unit=school), ParticipantFactory(unit=school)
    # Handed-in sheets reach the campaign's ledger after the commit (the dashboard's page filter).
    with django_capture_on_commit_callbacks(execute=True):
        _sheet(contest, first, news)
        _sheet(contest, first, news)  # the same person again
        _sheet(contest, second, news, submit=False)
        _sheet(contest, ParticipantFactory(unit=school), evening)
        _sheet(contest, ParticipantFactory(unit=school), None)  # the site itself: no outlet's
    RegistrationFactory(event=event, outlet=news, party_size=3)
    RegistrationFactory(event=event, outlet=evening)
    RegistrationFactory(event=event, outlet=None)
    for page, outlet, views in ((contest, news, 5), (event, news, 2), (contest, evening, 1), (contest, old, 4)):
        for _n in range(views):
            attribution.count_embed_view(outlet=outlet, page=page)
    # Long before the campaign: outside the dashboard's dates.
    OutletPageView.objects.create(outlet=evening, page=contest, day=datetime.date(2020, 1, 1), views=1000)
    # An outlet switched off after bringing readers is still reported.
    old.is_active = False
    old.save()
    return outlets


def _rows(html):
    """{outlet name: [views, participants, sheets handed in, registrations, people]} of the section."""
    section = html[html.index(SECTION) :]
    table = section[: section.index("</table>")]
    rows = re.findall(r'<tr><th scope="row">([^<]+)(?:<span[^>]*>[^<]*</span>)?</th>((?:<td>\d+</td>)+)</tr>', table)
    return {name.strip(): [int(n) for n in re.findall(r"<td>(\d+)</td>", cells)] for name, cells in rows}


def test_city_staff_see_what_came_through_each_outlet(reporter, campaign, through_outlets):
    html = reporter.get(URL, {"campaign": campaign.pk}).content.decode()
    assert SECTION in html
    assert _rows(html) == {
        "莱西新闻网": [7, 2, 2, 1, 3],
        "青岛晚报": [1, 1, 1, 1, 1],
        "停用的电视台": [4, 0, 0, 0, 0],
        "半岛都市报": [0, 0, 0, 0, 0],
    }
    assert "已停用" in html and "停用的广播" not in html.split(SECTION)[1]


def test_the_dates_and_the_page_filter_narrow_the_figures(reporter, campaign, contest, event, through_outlets):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    before = _rows(reporter.get(URL, {"campaign": campaign.pk, "to": yesterday}).content.decode())
    assert before == {"莱西新闻网": [0] * 5, "青岛晚报": [0] * 5, "半岛都市报": [0] * 5}
    # The contest reported into the campaign's ledger, so the dashboard offers it as a filter.
    only_contest = _rows(reporter.get(URL, {"campaign": campaign.pk, "page": contest.pk}).content.decode())
    assert only_contest["莱西新闻网"] == [5, 2, 2, 0, 0]


def test_a_liaison_sees_no_city_wide_outlet_figures(client, django_user_model, campaign, school, through_outlets):
    setup_liaison_group()
    liaison = django_user_model.objects.create_user(username="outlet-liaison", password="x" * 12)
    liaison.groups.add(Group.objects.get(name=LIAISON_GROUP))
    assign_scope(user=liaison, unit=school)
    client.force_login(liaison)
    response = client.get(URL, {"campaign": campaign.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert SECTION not in html and "莱西新闻网" not in html and "青岛晚报" not in html


def test_nor_does_a_drilled_down_unit(reporter, campaign, school, through_outlets):
    html = reporter.get(URL, {"campaign": campaign.pk, "unit": school.pk}).content.decode()
    assert SECTION not in html and "莱西新闻网" not in html
