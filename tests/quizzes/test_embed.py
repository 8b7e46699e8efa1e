"""A contest inside a media outlet's frame (issue 11): the whole participant flow under
/embed/outlet/<outlet>/page/<contest>/, with the cookies and CSRF a third-party frame needs, the
notice when the browser drops the frame's cookies, and the sheets counted for the outlet in the
contest report."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import embedding
from core.models import MediaOutlet
from home.factories import ArticlePageFactory, ColumnIndexPageFactory
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.scopes import LIAISON_PERMISSIONS, assign_scope
from quizzes import selectors
from quizzes.choices import QuestionKind
from quizzes.factories import (
    ContestIndexPageFactory,
    ContestPageFactory,
    DrawRuleFactory,
    ParticipantFactory,
    QuestionFactory,
)
from quizzes.models import AnswerSheet
from quizzes.participant_cookie import PARTICIPANT_COOKIE
from quizzes.services.answering import submit_answer_sheet
from quizzes.services.drawing import start_answer_sheet
from tests.framing import assert_framed_by, csrf_token

from .conftest import child_form, correct_answers, signed_in_client, url

pytestmark = pytest.mark.django_db

OUTLET_ORIGIN = "https://news.example.cn"
COOKIES_REFUSED = "浏览器阻止了嵌入页面保存参赛信息"


@pytest.fixture
def outlet(only_own_outlets):
    return MediaOutlet.objects.create(name="莱西新闻网", allowed_origins=OUTLET_ORIGIN)


@pytest.fixture
def prefix(contest, outlet):
    return embedding.embed_path(contest, outlet)


def _form_actions(html):
    return re.findall(r'<form method="(?:post|get)" action="([^"#]*)', html)


def _links(html):
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


def _assert_third_party_cookie(morsel):
    assert morsel["samesite"] == "None" and morsel["secure"] is True, morsel.output()


def _embed_sheet(client, prefix):
    """Start a sheet in the frame (the client already identified there) and return it."""
    landing = client.get(prefix).content.decode()
    response = client.post(prefix + "start/", {"csrfmiddlewaretoken": csrf_token(landing)})
    sheet = AnswerSheet.objects.latest("started_at")
    assert response.status_code == 302 and response["Location"] == f"{prefix}sheet/{sheet.public_id}/"
    return sheet


def _identified_in_frame(prefix, school, name="王小红"):
    client = Client(enforce_csrf_checks=True)
    landing = client.get(prefix).content.decode()
    response = client.post(
        prefix + "identify/", {**child_form(school, name=name), "csrfmiddlewaretoken": csrf_token(landing)}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client, response


# The flow in the frame -----------------------------------------------------------------------------


def test_a_student_takes_the_whole_contest_inside_the_outlets_frame(contest, outlet, prefix, school):
    client = Client(enforce_csrf_checks=True)
    landing = client.get(prefix)
    assert landing.status_code == 200
    assert_framed_by(landing, OUTLET_ORIGIN)
    html = landing.content.decode()
    assert contest.title in html and "填写参赛信息" in html
    assert 'class="breadcrumb' not in html and 'class="site-header' not in html
    assert _form_actions(html) == [prefix, prefix + "identify/"]
    assert prefix + "rankings/" in _links(html)
    # Django's CSRF cookie, set in the frame, is one a third-party frame sends back.
    _assert_third_party_cookie(landing.cookies["csrftoken"])

    identified = client.post(prefix + "identify/", {**child_form(school), "csrfmiddlewaretoken": csrf_token(html)})
    assert identified.status_code == 302 and identified["Location"] == prefix + "?cookie_check=1"
    assert_framed_by(identified, OUTLET_ORIGIN)
    _assert_third_party_cookie(identified.cookies[PARTICIPANT_COOKIE])

    back = client.get(identified["Location"]).content.decode()
    assert "当前答题人：王*红（测试实验小学）" in back and COOKIES_REFUSED not in back
    assert _form_actions(back) == [prefix + "start/", prefix + "forget/"]

    sheet = _embed_sheet(client, prefix)
    assert sheet.outlet == outlet
    page = client.get(f"{prefix}sheet/{sheet.public_id}/")
    assert_framed_by(page, OUTLET_ORIGIN)
    html = page.content.decode()
    assert _form_actions(html) == [f"{prefix}sheet/{sheet.public_id}/"]
    answer_url = re.search(r'data-answer-url="([^"]+)"', html)[1]
    assert answer_url == reverse("quizzes:answer", args=[sheet.public_id])

    # contest.js's autosave: same-origin to the frame, with the form's token in X-CSRFToken.
    answers = correct_answers(sheet)
    for position, choices in answers.items():
        saved = client.post(
            answer_url,
            json.dumps({"position": position, "choices": choices}),
            content_type="application/json",
            HTTP_ACCEPT="application/json",
            HTTP_X_CSRFTOKEN=csrf_token(html),
        )
        assert saved.status_code == 200 and saved.json()["ok"], saved.content
    assert all(q.selected for q in sheet.questions.all())

    submitted = client.post(
        f"{prefix}sheet/{sheet.public_id}/",
        {"action": "submit", "confirm": "given", "csrfmiddlewaretoken": csrf_token(html)},
    )
    assert submitted.status_code == 302 and submitted["Location"] == f"{prefix}sheet/{sheet.public_id}/result/"
    result = client.get(submitted["Location"])
    assert_framed_by(result, OUTLET_ORIGIN)
    html = result.content.decode()
    assert "100 / 100 分" in html and "优秀" in html
    assert prefix in _links(html) and prefix + "rankings/" in _links(html)
    # A finished sheet opened again goes to its result, still in the frame.
    again = client.get(f"{prefix}sheet/{sheet.public_id}/")
    assert again["Location"] == f"{prefix}sheet/{sheet.public_id}/result/"
    sheet.refresh_from_db()
    assert sheet.is_finished and sheet.outlet == outlet


def test_the_no_javascript_save_and_confirmation_stay_in_the_frame(contest, prefix, school):
    client, _identified = _identified_in_frame(prefix, school)
    sheet = _embed_sheet(client, prefix)
    sheet_url = f"{prefix}sheet/{sheet.public_id}/"
    token = csrf_token(client.get(sheet_url).content.decode())
    saved = client.post(sheet_url, {"action": "save", "q1": "1", "csrfmiddlewaretoken": token})
    assert saved["Location"] == sheet_url + "?saved=1"
    asked = client.post(sheet_url, {"action": "submit", "confirm": "ask", "csrfmiddlewaretoken": token})
    assert asked["Location"] == sheet_url + "?confirm=1#submit"
    assert "确认交卷" in client.get(sheet_url + "?confirm=1").content.decode()


def test_the_certificate_and_its_downloads_work_in_the_frame(contest, prefix, participant):
    client = signed_in_client(participant)
    sheet = _embed_sheet(client, prefix)
    submit_answer_sheet(
        public_id=sheet.public_id,
        participant=participant,
        answers=correct_answers(sheet),
        now=timezone.now() + timedelta(seconds=90),
    )
    page = client.get(f"{prefix}sheet/{sheet.public_id}/certificate/")
    assert page.status_code == 200
    assert_framed_by(page, OUTLET_ORIGIN)
    html = page.content.decode()
    assert participant.name in html
    links = _links(html)
    assert f"{prefix}sheet/{sheet.public_id}/certificate/pdf/" in links
    assert f"{prefix}sheet/{sheet.public_id}/result/" in links
    pdf = client.get(f"{prefix}sheet/{sheet.public_id}/certificate/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment")
    png = client.get(f"{prefix}sheet/{sheet.public_id}/certificate/png/")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_links_leaving_the_flow_open_a_new_tab(home_page, topic, outlet, school):
    further = ArticlePageFactory(parent=ColumnIndexPageFactory(parent=home_page), title="燃气安全延伸阅读")
    question = QuestionFactory(
        kind=QuestionKind.TRUE_FALSE, topic=topic, article=further, choices=[("正确", True), ("错误", False)]
    )
    contest = ContestPageFactory(parent=ContestIndexPageFactory(parent=home_page))
    DrawRuleFactory(contest=contest, kind=QuestionKind.TRUE_FALSE, topic=topic, count=1, points=10)
    participant = ParticipantFactory(unit=school)
    prefix = embedding.embed_path(contest, outlet)
    client = signed_in_client(participant)
    sheet = _embed_sheet(client, prefix)
    wrong = next(c["id"] for c in sheet.questions.get().version.content["choices"] if not c["correct"])
    submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers={1: [wrong]})
    html = client.get(f"{prefix}sheet/{sheet.public_id}/result/").content.decode()
    assert question.stem in html
    assert f'<a href="{further.url}" target="_blank" rel="noopener">延伸阅读：燃气安全延伸阅读</a>' in html
    # On the site itself the same link opens in place.
    site_html = client.get(url(contest, "result", sheet.public_id)).content.decode()
    assert f'<a href="{further.url}">延伸阅读' in site_html


def test_the_rankings_and_forget_stay_in_the_frame(contest, prefix, participant):
    client = signed_in_client(participant)
    rankings = client.get(prefix + "rankings/")
    assert rankings.status_code == 200
    assert_framed_by(rankings, OUTLET_ORIGIN)
    html = rankings.content.decode()
    assert 'class="breadcrumb' not in html and prefix in _links(html)
    forgotten = client.post(prefix + "forget/")
    assert forgotten["Location"] == prefix
    assert forgotten.cookies[PARTICIPANT_COOKIE].value == ""


def test_a_refusal_in_the_frame_leads_back_into_the_frame(contest, prefix):
    response = Client().post(prefix + "start/")  # nobody identified
    assert response.status_code == 422
    assert_framed_by(response, OUTLET_ORIGIN)
    assert "请先填写参赛信息" in response.content.decode()
    assert prefix in _links(response.content.decode())


def test_on_the_site_the_flow_keeps_the_sites_addresses_and_no_outlet(client, contest, school):
    identified = client.post(url(contest, "identify"), child_form(school))
    assert identified["Location"] == url(contest)  # no cookie check outside a frame
    assert identified.cookies[PARTICIPANT_COOKIE]["samesite"] == "Lax"
    landing = client.get(url(contest)).content.decode()
    assert 'class="breadcrumb' in landing and _form_actions(landing)[0] == url(contest, "start")
    assert client.post(url(contest, "start"))["Location"].startswith(url(contest) + "sheet/")
    assert AnswerSheet.objects.get(contest=contest).outlet is None


def test_the_generic_snippet_embeds_the_flow_without_an_outlet(contest, participant, only_own_outlets):
    prefix = embedding.embed_path(contest)
    sheet = _embed_sheet(signed_in_client(participant), prefix)
    assert sheet.outlet is None


def test_a_sheet_resumed_in_the_frame_keeps_where_it_was_started(contest, prefix, participant):
    started = start_answer_sheet(contest=contest, participant=participant)
    assert _embed_sheet(signed_in_client(participant), prefix) == started
    started.refresh_from_db()
    assert started.outlet is None


# The browser dropped the frame's cookies -----------------------------------------------------------


def test_a_frame_whose_cookies_are_dropped_says_so_and_offers_a_new_tab(contest, outlet, prefix, school):
    _client, identified = _identified_in_frame(prefix, school)
    # A browser blocking third-party cookies comes back without the participant cookie.
    landing = Client().get(identified["Location"])
    assert landing.status_code == 200
    assert_framed_by(landing, OUTLET_ORIGIN)
    html = landing.content.decode()
    assert COOKIES_REFUSED in html
    assert f'<a class="button" href="{prefix}" target="_blank" rel="noopener">在新窗口中打开答卷</a>' in html
    assert 'name="guardian_consent"' not in html  # filling the form in again would only loop

    # The same embed address at the top level keeps the outlet: the sheet is still counted for it.
    top_level, _identified = _identified_in_frame(prefix, school)
    assert _embed_sheet(top_level, prefix).outlet == outlet


def test_the_cookie_check_says_nothing_when_the_cookie_came_back_or_outside_a_frame(contest, prefix, participant):
    assert COOKIES_REFUSED not in signed_in_client(participant).get(prefix + "?cookie_check=1").content.decode()
    site = Client().get(url(contest) + "?cookie_check=1").content.decode()
    assert COOKIES_REFUSED not in site and "填写参赛信息" in site


# Who may frame it, and bad addresses ---------------------------------------------------------------


def test_an_inactive_or_unknown_outlet_has_no_contest_embed(contest, outlet, participant):
    unknown = f"/embed/outlet/{outlet.pk + 1000}/page/{contest.pk}/"
    outlet.is_active = False
    outlet.save()
    client = signed_in_client(participant)
    for path in (embedding.embed_path(contest, outlet), unknown):
        for route in ("", "rankings/"):
            assert client.get(path + route).status_code == 404, path + route
        assert client.post(path + "start/").status_code == 404
    assert not AnswerSheet.objects.exists()


@pytest.mark.parametrize("hostile", ["abc", "0", "-1", "99999999999", "1.5", "1e3", "٣", "1;2", "' or 1=1"])
def test_hostile_outlet_and_page_ids_are_404(client, contest, outlet, hostile):
    assert client.get(f"/embed/outlet/{hostile}/page/{contest.pk}/").status_code == 404
    assert client.get(f"/embed/outlet/{outlet.pk}/page/{hostile}/").status_code == 404
    assert client.post(f"/embed/outlet/{hostile}/page/{contest.pk}/start/").status_code == 404


def test_a_control_character_in_an_embed_address_is_400(client, contest, outlet):
    for path in (f"/embed/outlet/%00/page/{contest.pk}/", f"/embed/outlet/{outlet.pk}/page/{contest.pk}/%00/"):
        response = client.get(path)
        assert response.status_code == 400 and "控制字符" in response.content.decode()


@pytest.mark.parametrize(
    "route",
    ["nope/", "sheet/not-a-uuid/", "sheet/00000000-0000-0000-0000-000000000000/x/", "identify/extra/"],
)
def test_unknown_routes_in_the_frame_are_404(client, prefix, route):
    assert client.get(prefix + route).status_code == 404


def test_someone_elses_sheet_is_not_found_in_the_frame(contest, prefix, participant, school):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    stranger = signed_in_client(ParticipantFactory(unit=school, name="李雷"))
    for route in ("", "result/", "certificate/pdf/"):
        response = stranger.get(f"{prefix}sheet/{sheet.public_id}/{route}")
        assert response.status_code == 404
        assert "没有找到这份答卷" in response.content.decode()


def test_identify_and_start_in_the_frame_only_answer_posts(client, prefix):
    assert client.get(prefix + "identify/").status_code == 405
    assert client.get(prefix + "start/").status_code == 405


# Counted per outlet --------------------------------------------------------------------------------


def _through(outlet, contest, participant, *, submit=True, now=None):
    sheet = start_answer_sheet(contest=contest, participant=participant, outlet=outlet, now=now)
    if submit:
        submit_answer_sheet(public_id=sheet.public_id, participant=participant, answers={}, now=now)
    return sheet


def test_participants_by_outlet_counts_people_and_handed_in_sheets(contest, outlet, school):
    other = MediaOutlet.objects.create(name="半岛都市报", allowed_origins="https://bandao.example.cn")
    first, second, third = (ParticipantFactory(unit=school) for _ in range(3))
    _through(outlet, contest, first)
    _through(outlet, contest, first, submit=False, now=timezone.now() + timedelta(days=1))  # same person again
    _through(outlet, contest, second)
    _through(other, contest, third, submit=False)
    start_answer_sheet(contest=contest, participant=ParticipantFactory(unit=school))  # on the site
    assert selectors.participants_by_outlet(contest=contest) == [
        {"outlet_id": outlet.pk, "outlet_name": "莱西新闻网", "participants": 2, "sheets_submitted": 2},
        {"outlet_id": other.pk, "outlet_name": "半岛都市报", "participants": 1, "sheets_submitted": 0},
    ]
    today = timezone.localdate()
    assert [row["participants"] for row in selectors.participants_by_outlet(since=today, until=today)] == [2, 1]
    tomorrow = today + timedelta(days=1)
    assert selectors.participants_by_outlet(since=tomorrow) == [
        {"outlet_id": outlet.pk, "outlet_name": "莱西新闻网", "participants": 1, "sheets_submitted": 0}
    ]
    assert selectors.participants_by_outlet(contest=ContestPageFactory(parent=contest.get_parent())) == []


def test_a_deleted_outlet_leaves_its_sheets_uncounted(contest, outlet, participant):
    sheet = _through(outlet, contest, participant)
    outlet.delete()
    sheet.refresh_from_db()
    assert sheet.outlet is None and selectors.participants_by_outlet(contest=contest) == []


def test_the_contest_report_shows_who_took_part_through_each_outlet(admin_client, contest, outlet, prefix, school):
    for name in ("王小红", "李小明"):
        client, _identified = _identified_in_frame(prefix, school, name=name)
        sheet = _embed_sheet(client, prefix)
    submit_answer_sheet(public_id=sheet.public_id, participant=sheet.participant, answers={})
    html = admin_client.get(reverse("quizzes_report", args=[contest.pk])).content.decode()
    assert "通过合作媒体参与" in html
    assert "<tr><td>莱西新闻网</td><td>2</td><td>1</td></tr>" in html


def test_a_liaison_sees_only_their_own_units_people_per_outlet(contest, outlet, school):
    elsewhere = UnitFactory(kind=UnitKind.SCHOOL, name="另一所小学")
    _through(outlet, contest, ParticipantFactory(unit=school))
    _through(outlet, contest, ParticipantFactory(unit=elsewhere))
    liaison = get_user_model().objects.create_user("embed-liaison", password="x-anquan-2026")
    liaison.user_permissions.add(
        *(Permission.objects.get(content_type__app_label=app, codename=code) for app, code in LIAISON_PERMISSIONS)
    )
    assign_scope(user=liaison, unit=school)
    viewer = Client()
    viewer.force_login(liaison)
    html = viewer.get(reverse("quizzes_report", args=[contest.pk])).content.decode()
    assert "<tr><td>莱西新闻网</td><td>1</td><td>1</td></tr>" in html
