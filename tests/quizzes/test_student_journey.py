"""Issue 10's student journey over HTTP: the join link lands in the contest (or a short chooser),
identify errors keep the form, 交卷 is confirmed, the result counts, 我的名次 beyond the top 50,
and the 电子证书 of a passing sheet (page, PDF, PNG), which nobody else sees."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from organizations.factories import UnitFactory
from organizations.models import UnitKind
from quizzes import selectors
from quizzes.choices import AnswerReveal, SheetStatus
from quizzes.factories import ContestPageFactory, ParticipantFactory
from quizzes.models import AnswerSheet, ContestPage, Participant
from quizzes.services.answering import submit_answer_sheet
from quizzes.services.drawing import start_answer_sheet
from quizzes.services.review import confirm_sheet
from quizzes.templatetags.contest_format import contest_date, duration, join_greeting

from .conftest import child_form, correct_answers, signed_in_client, url

pytestmark = pytest.mark.django_db


def finished_sheet(contest, participant, *, right=5, seconds=60, now=None):
    """A submitted sheet with the first ``right`` questions answered correctly, the rest blank."""
    now = now or timezone.now()
    sheet = start_answer_sheet(contest=contest, participant=participant, now=now)
    answers = dict(list(correct_answers(sheet).items())[:right])
    return submit_answer_sheet(
        public_id=sheet.public_id, participant=participant, answers=answers, now=now + timedelta(seconds=seconds)
    )


# The join link (QR poster) ---------------------------------------------------------------------


@pytest.fixture
def only_ours_open(contest):
    """The test contest is the only one open: the demo's contests are closed for this test."""
    ContestPage.objects.exclude(pk=contest.pk).update(closes_at=timezone.now() - timedelta(days=1))
    return contest


def test_a_join_link_opens_the_one_open_contest_for_the_unit_with_a_greeting(client, only_ours_open, school):
    contest = only_ours_open
    response = client.get(school.get_join_url(), follow=True)
    assert response.redirect_chain[-1][0] == contest.url
    html = response.content.decode()
    assert f"欢迎，{school.name}的同学" in html
    assert f"单位：{school.name}（来自扫码链接）" in html


def test_two_open_contests_give_a_short_chooser_with_the_greeting(client, only_ours_open, school):
    contest = only_ours_open
    second = ContestPageFactory(parent=contest.get_parent(), title="第二场答卷")
    client.get(school.get_join_url())
    response = client.get(reverse("quizzes:joined"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>欢迎，{school.name}的同学</h1>" in html
    assert f'<a href="{contest.url}">{contest.title}</a>' in html
    assert f'<a href="{second.url}">第二场答卷</a>' in html
    assert "限时 2 分 30 秒" in html
    assert response["Cache-Control"].startswith("max-age=0")


def test_no_contest_open_for_the_units_kind_is_a_friendly_page_with_the_contest_list(client, only_ours_open):
    community = UnitFactory(kind=UnitKind.COMMUNITY, name="扫码测试社区")
    client.get(community.get_join_url())
    response = client.get(reverse("quizzes:joined"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "欢迎，扫码测试社区的居民" in html
    assert "现在没有面向你所在单位开放的答卷活动" in html
    contest_list = re.search(r'<a href="([^"]+)">查看全部答卷活动</a>', html).group(1)
    assert client.get(contest_list).status_code == 200


@pytest.mark.parametrize("cookie", [None, "forged", "0", "99999999999999999999"])
def test_the_join_landing_without_a_valid_join_cookie_still_leads_somewhere(only_ours_open, cookie):
    contest = only_ours_open
    client = Client()
    if cookie is not None:
        client.cookies["join_unit"] = cookie
    response = client.get(reverse("quizzes:joined"))
    # The only open contest, for anyone.
    assert response.status_code == 302 and response["Location"] == contest.url


def test_the_join_landing_is_get_only(client, contest):
    assert client.post(reverse("quizzes:joined")).status_code == 405


@pytest.mark.parametrize(
    ("kind", "people"),
    [(UnitKind.SCHOOL, "同学"), (UnitKind.COMMUNITY, "居民"), (UnitKind.ENTERPRISE, "职工"), (UnitKind.OTHER, "朋友")],
)
def test_each_kind_of_unit_is_greeted_as_its_people(kind, people):
    unit = UnitFactory(kind=kind, name="某某单位")
    assert join_greeting(unit) == f"欢迎，某某单位的{people}"


# The landing page and the identify form ----------------------------------------------------------


def test_times_are_written_one_way_and_dates_name_other_years_only():
    assert [duration(s) for s in (300, 150, 45, 3600)] == ["5 分钟", "2 分 30 秒", "45 秒", "60 分钟"]
    now = timezone.localtime()
    assert contest_date(now) == f"{now.month}月{now.day}日 {now:%H:%M}"
    last_year = now.replace(year=now.year - 1, month=6, day=1)
    assert contest_date(last_year) == f"{now.year - 1}年6月1日 {now:%H:%M}"


def test_the_landing_says_the_time_limit_in_minutes(client, contest):
    contest.time_limit_seconds = 300
    contest.save_revision().publish()
    html = client.get(url(contest)).content.decode()
    assert "限时 5 分钟" in html and "300 秒" not in html


def test_the_unit_search_and_the_identify_form_keep_the_reader_at_the_form(client, contest, school):
    html = client.get(url(contest), {"unit_q": "实验"}).content.decode()
    assert f'action="{contest.url}#identify"' in html
    assert f'action="{url(contest, "identify")}#identify"' in html
    assert 'id="identify"' in html
    assert '<input type="hidden" name="unit_q" value="实验">' in html


def test_a_forgotten_consent_re_shows_the_form_with_every_field_kept(client, contest, school):
    other = UnitFactory(kind=UnitKind.SCHOOL, name="测试第二实验小学", parent=school.parent)
    response = client.post(url(contest, "identify"), child_form(other, guardian_consent="", unit_q="实验"))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="guardian-consent-error">14 岁以下的同学需要监护人勾选同意后才能参加。' in html
    assert 'value="王小红"' in html and 'value="五年级二班"' in html
    assert 'value="under14" required checked' in html
    # The search is run again, and the chosen school stays chosen among its results.
    assert f'<option value="{other.pk}" selected>{other.name}</option>' in html
    assert f'<option value="{school.pk}">{school.name}</option>' in html
    assert not Participant.objects.filter(name="王小红").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "请填写姓名"),
        ({"age_band": "martian"}, "age_band", "请选择年龄段"),
        ({"unit": "abc"}, "unit", "请选择你所在的单位"),
    ],
)
def test_identify_errors_are_shown_beside_their_field(client, contest, school, overrides, field, message):
    response = client.post(url(contest, "identify"), child_form(school, **overrides))
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(rf'<p class="notice" role="alert" id="{field}-error">{message}', html)
    assert 'id="identify-error"' not in html
    assert 'value="五年级二班"' in html


def test_a_returning_participant_sees_their_status_above_the_rules(participant_client, contest):
    contest.rules = "<p>每人每天可答一次。</p>"
    contest.save_revision().publish()
    html = participant_client.get(url(contest)).content.decode().split("<main")[1]
    assert html.index("当前答题人") < html.index("答题规则") < html.index("查看排行榜")
    assert html.index("开始答题") < html.index(contest.intro)


# 交卷 -----------------------------------------------------------------------------------------------


def test_the_form_asks_the_server_to_confirm_and_the_save_button_stays_for_no_script(
    participant_client, contest, participant
):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    html = participant_client.get(url(contest, "sheet", sheet.public_id)).content.decode()
    assert '<input type="hidden" name="confirm" value="ask">' in html
    assert 'value="save"' in html and "交卷</button>" in html
    assert 'data-text-unanswered="还有 {n} 题未作答。"' in html
    assert "剩余时间约 2 分 30 秒" in html or "剩余时间约 2 分 29 秒" in html


def test_without_script_submit_saves_then_asks_with_the_unanswered_count(participant_client, contest, participant):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    sheet_url = url(contest, "sheet", sheet.public_id)
    answers = correct_answers(sheet)
    form = {"action": "submit", "confirm": "ask", **{f"q{p}": [str(c) for c in ids] for p, ids in answers.items()}}
    del form["q1"], form["q2"]
    response = participant_client.post(sheet_url, form)
    assert response.status_code == 302 and response["Location"] == sheet_url + "?confirm=1#submit"
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.IN_PROGRESS
    assert sum(1 for q in sheet.questions.all() if q.selected) == 3  # saved on the way

    html = participant_client.get(response["Location"]).content.decode()
    assert "还有 2 题未作答。" in html and "确认交卷</button>" in html
    assert '<input type="hidden" name="confirm" value="given">' in html

    response = participant_client.post(sheet_url, {"action": "submit", "confirm": "given"})
    assert response["Location"] == url(contest, "result", sheet.public_id)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED and sheet.score == 60


# The result, the rankings -------------------------------------------------------------------------


def test_the_result_counts_right_wrong_and_unanswered(participant_client, contest, participant):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    answers = correct_answers(sheet)
    first = sheet.questions.select_related("version").get(position=1)
    wrong = {1: [next(c["id"] for c in first.version.content["choices"] if not c["correct"])]}
    submit_answer_sheet(
        public_id=sheet.public_id, participant=participant, answers={**dict(list(answers.items())[1:3]), **wrong}
    )
    html = participant_client.get(url(contest, "result", sheet.public_id)).content.decode()
    counts = dict(re.findall(r"<dt>(答对|答错|未作答)</dt><dd>(\d+) 题</dd>", html))
    assert counts == {"答对": "2", "答错": "1", "未作答": "2"}


def test_before_the_reveal_the_counts_are_shown_but_no_question_is_marked(participant_client, contest, participant):
    contest.reveal_answers = AnswerReveal.AFTER_CLOSE
    contest.save_revision().publish()
    sheet = finished_sheet(contest, participant, right=3)
    html = participant_client.get(url(contest, "result", sheet.public_id)).content.decode()
    assert "<dt>答对</dt><dd>3 题</dd>" in html
    for key_hint in ("✓", "✗", "正确答案：", "is-correct", "is-wrong"):
        assert key_hint not in html


def test_my_rank_is_shown_even_outside_the_listed_top(monkeypatch, contest, school, participant):
    monkeypatch.setattr(selectors, "RANKING_SIZE", 2)
    now = timezone.now()
    for n, seconds in enumerate((30, 40, 50)):
        finished_sheet(contest, ParticipantFactory(unit=school, name=f"高手{n}"), right=5, seconds=seconds, now=now)
    finished_sheet(contest, participant, right=4, now=now)
    # A flagged sheet is out of the rankings for everyone, as in the public list.
    flagged = finished_sheet(contest, ParticipantFactory(unit=school, name="快手"), right=5, seconds=1, now=now)
    assert flagged.flagged
    cache.clear()
    html = signed_in_client(participant).get(url(contest, "rankings")).content.decode()
    assert "我的名次" in html
    assert '<strong class="my-rank-number">第 4 名</strong>（共 4 人上榜）' in html
    assert "最好成绩 80/100 分，用时 1 分钟" in html
    assert html.count('class="ranking-name"') == 2  # the public list is still only the top
    assert "张*明" not in html.split("个人排行")[1]


def test_my_rank_matches_the_public_ranking_order(contest, school):
    now = timezone.now()
    people = [ParticipantFactory(unit=school, name=name) for name in ("甲一", "乙二", "丙三")]
    finished_sheet(contest, people[0], right=5, seconds=90, now=now)
    finished_sheet(contest, people[1], right=5, seconds=60, now=now)
    finished_sheet(contest, people[2], right=4, seconds=10, now=now)
    ranks = [selectors.participant_rank(contest=contest, participant_token=p.token)["rank"] for p in people]
    public = [row["name"] for row in selectors.rankings(contest=contest)["individuals"]]
    assert ranks == [2, 1, 3]
    assert public == ["乙*", "甲*", "丙*"]


def test_no_rank_yet_and_no_participant(client, contest, participant_client):
    assert "你还没有计入排名的成绩" in participant_client.get(url(contest, "rankings")).content.decode()
    assert "我的名次" not in client.get(url(contest, "rankings")).content.decode()


# The certificate ----------------------------------------------------------------------------------


def test_a_passing_sheet_has_a_certificate_page_pdf_and_png_for_its_owner_only(
    participant_client, contest, participant
):
    sheet = finished_sheet(contest, participant, right=4)  # 80: 良好
    result = participant_client.get(url(contest, "result", sheet.public_id)).content.decode()
    assert url(contest, "certificate", sheet.public_id) in result and "查看电子证书" in result

    response = participant_client.get(url(contest, "certificate", sheet.public_id))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = response.content.decode()
    section = html.split('class="certificate"')[1].split("</section>")[0]
    assert participant.name in section and contest.title in section and "良好" in section
    assert timezone.localdate(sheet.finished_at).strftime("%Y年").lstrip("0") in section
    # Nothing else about the person: not the school, the class or the score.
    for personal in (participant.unit.name, participant.class_name, "80"):
        assert personal not in section
    assert url(contest, "certificate_png", sheet.public_id) in html

    pdf = participant_client.get(url(contest, "certificate_pdf", sheet.public_id))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"].startswith("max-age=0")
    png = participant_client.get(url(contest, "certificate_png", sheet.public_id))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")

    stranger = signed_in_client(ParticipantFactory(unit=participant.unit, name="李雷"))
    for route in ("certificate", "certificate_pdf", "certificate_png"):
        for client in (stranger, Client()):
            response = client.get(url(contest, route, sheet.public_id))
            assert response.status_code == 404
            assert "没有找到这份答卷" in response.content.decode()


def test_a_sheet_that_did_not_pass_has_no_certificate(participant_client, contest, participant):
    sheet = finished_sheet(contest, participant, right=2)  # 40 < 60
    result = participant_client.get(url(contest, "result", sheet.public_id)).content.decode()
    assert "电子证书" not in result
    for route in ("certificate", "certificate_pdf", "certificate_png"):
        response = participant_client.get(url(contest, route, sheet.public_id))
        assert response.status_code == 404
        assert "没有达到合格分" in response.content.decode()


def test_a_sheet_held_as_implausible_gets_its_certificate_once_staff_confirm_it(
    participant_client, contest, participant, admin_user
):
    sheet = finished_sheet(contest, participant, right=5, seconds=1)  # full marks in a second
    assert sheet.flagged
    result = participant_client.get(url(contest, "result", sheet.public_id)).content.decode()
    assert "成绩正在核实" in result and "查看电子证书" not in result
    for route in ("certificate", "certificate_pdf", "certificate_png"):
        response = participant_client.get(url(contest, route, sheet.public_id))
        assert response.status_code == 404 and "成绩正在核实" in response.content.decode()
    confirm_sheet(contest=contest, public_id=sheet.public_id, user=admin_user)
    assert "查看电子证书" in participant_client.get(url(contest, "result", sheet.public_id)).content.decode()
    assert participant_client.get(url(contest, "certificate", sheet.public_id)).status_code == 200


def test_an_unfinished_sheet_has_no_certificate_yet(participant_client, contest, participant):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    response = participant_client.get(url(contest, "certificate", sheet.public_id))
    assert response.status_code == 404 and "交卷后" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "0", "00000000-0000-0000-0000-000000000000", "%00", "../result"])
def test_hostile_certificate_ids_are_404(participant_client, contest, value):
    for suffix in ("certificate/", "certificate/pdf/", "certificate/png/"):
        status = participant_client.get(f"{contest.url}sheet/{value}/{suffix}").status_code
        assert status == (400 if value == "%00" else 404)


@override_settings(CERTIFICATE_FONT_PATH="/nonexistent/font.ttc")
def test_without_a_font_file_there_is_no_png_but_the_page_and_pdf_work(participant_client, contest, participant):
    sheet = finished_sheet(contest, participant, right=5)
    html = participant_client.get(url(contest, "certificate", sheet.public_id)).content.decode()
    assert "优秀" in html and "下载 PDF" in html
    assert "certificate/png/" not in html
    assert participant_client.get(url(contest, "certificate_pdf", sheet.public_id)).status_code == 200
    response = participant_client.get(url(contest, "certificate_png", sheet.public_id))
    assert response.status_code == 404 and "请下载 PDF 版" in response.content.decode()
    assert AnswerSheet.objects.get(pk=sheet.pk).status == SheetStatus.SUBMITTED


def test_the_certificate_routes_only_answer_get(participant_client, contest, participant):
    sheet = finished_sheet(contest, participant, right=5)
    for route in ("certificate", "certificate_pdf", "certificate_png"):
        assert participant_client.post(url(contest, route, sheet.public_id)).status_code == 405
