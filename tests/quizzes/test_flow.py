"""The participant flow over HTTP, without JavaScript: identify, start, answer, submit, result,
rankings; and every bad request gets a clear 4xx that changes nothing."""

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.template import engines
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.privacy import mask_name
from quizzes.choices import AnswerReveal, SheetStatus
from quizzes.factories import ContestIndexPageFactory, ParticipantFactory
from quizzes.models import AnswerSheet, Participant
from quizzes.participant_cookie import PARTICIPANT_COOKIE
from quizzes.services.answering import save_answers, submit_answer_sheet
from quizzes.services.drawing import start_answer_sheet

from .conftest import EXPLANATION, correct_answers, signed_in_client, url

pytestmark = pytest.mark.django_db


def start_sheet(client, contest):
    response = client.post(url(contest, "start"))
    assert response.status_code == 302, response.content.decode()[:500]
    return AnswerSheet.objects.filter(contest=contest).latest("started_at")


def test_landing_shows_rules_and_the_identify_form(client, contest):
    html = client.get(url(contest)).content.decode()
    assert contest.title in html
    assert "填写参赛信息" in html
    assert "本活动不收集身份证号" in html
    assert 'name="guardian_consent"' in html


def test_a_student_identifies_starts_answers_and_sees_the_result(client, contest, school):
    response = client.post(
        url(contest, "identify"),
        {
            "unit": school.pk,
            "name": "王小红",
            "class_name": "五年级二班",
            "age_band": "under14",
            "guardian_consent": "on",
        },
    )
    assert response.status_code == 302
    assert PARTICIPANT_COOKIE in response.cookies
    landing = client.get(url(contest)).content.decode()
    assert "当前答题人：王*红（测试实验小学）" in landing and "开始答题" in landing

    sheet = start_sheet(client, contest)
    page = client.get(url(contest, "sheet", sheet.public_id))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    form = {"action": "submit"}
    for position, choice_ids in correct_answers(sheet).items():
        form[f"q{position}"] = [str(c) for c in choice_ids]
    response = client.post(url(contest, "sheet", sheet.public_id), form)
    assert response.status_code == 302
    result = client.get(response["Location"]).content.decode()
    assert "100 / 100 分" in result
    assert "优秀" in result
    assert EXPLANATION in result  # revealed after submit for this contest


def test_the_answer_key_never_reaches_the_browser_before_submit(participant_client, contest, participant):
    sheet = start_sheet(participant_client, contest)
    html = participant_client.get(url(contest, "sheet", sheet.public_id)).content.decode()
    assert EXPLANATION not in html
    assert "correct" not in html.lower()
    for question in sheet.questions.select_related("version"):
        for choice in question.version.content["choices"]:
            assert choice["text"] in html  # every choice is shown, none is marked
    saved = participant_client.post(
        reverse("quizzes:answer", args=[sheet.public_id]),
        json.dumps({"position": 1, "choices": [1]}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert set(saved.json()) == {"ok", "remaining_seconds"}


def test_reload_resumes_the_same_sheet_with_answers_and_remaining_time(participant_client, contest, participant):
    sheet = start_sheet(participant_client, contest)
    participant_client.post(
        reverse("quizzes:answer", args=[sheet.public_id]),
        json.dumps({"position": 2, "choices": [2]}),
        content_type="application/json",
    )
    AnswerSheet.objects.filter(pk=sheet.pk).update(
        started_at=sheet.started_at - timedelta(seconds=100), deadline=sheet.deadline - timedelta(seconds=100)
    )
    again = start_sheet(participant_client, contest)
    assert again.pk == sheet.pk
    html = participant_client.get(url(contest, "sheet", sheet.public_id)).content.decode()
    remaining = int(re.search(r'data-remaining="(\d+)"', html).group(1))
    assert 40 <= remaining <= 50
    assert re.search(r'name="q2" value="2" checked', html)


def test_opening_an_overdue_sheet_finalises_it_from_saved_answers(participant_client, contest, participant):
    sheet = start_sheet(participant_client, contest)
    save_answers(public_id=sheet.public_id, participant=participant, answers=correct_answers(sheet))
    AnswerSheet.objects.filter(pk=sheet.pk).update(
        started_at=timezone.now() - timedelta(minutes=10), deadline=timezone.now() - timedelta(minutes=5)
    )
    response = participant_client.get(url(contest, "sheet", sheet.public_id))
    assert response.status_code == 302
    assert "result" in response["Location"]
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.TIMED_OUT and sheet.score == 100


def test_answer_after_deadline_is_409_with_a_chinese_message(participant_client, contest):
    sheet = start_sheet(participant_client, contest)
    AnswerSheet.objects.filter(pk=sheet.pk).update(
        started_at=timezone.now() - timedelta(minutes=10), deadline=timezone.now() - timedelta(minutes=5)
    )
    response = participant_client.post(
        reverse("quizzes:answer", args=[sheet.public_id]),
        json.dumps({"position": 1, "choices": [1]}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 409
    assert "时间已到" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"position": 1, "choices": [99]},
        {"position": 99, "choices": [1]},
        {"position": 1, "choices": "1"},
        {"position": "abc", "choices": [1]},
        {"choices": [1]},
        "not json",
    ],
)
def test_bad_answers_are_422_and_change_nothing(participant_client, contest, body):
    sheet = start_sheet(participant_client, contest)
    response = participant_client.post(
        reverse("quizzes:answer", args=[sheet.public_id]),
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 422
    assert response.json()["error"]
    assert all(q.selected == [] for q in sheet.questions.all())


def test_another_persons_sheet_is_404(contest, participant, school):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    stranger = signed_in_client(ParticipantFactory(unit=school, name="李雷"))
    assert stranger.get(url(contest, "sheet", sheet.public_id)).status_code == 404
    assert stranger.get(url(contest, "result", sheet.public_id)).status_code == 404
    response = stranger.post(url(contest, "sheet", sheet.public_id), {"action": "submit", "q1": "1"})
    assert response.status_code == 404
    assert "没有找到这份答卷" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.IN_PROGRESS


def test_a_forged_participant_cookie_is_ignored(contest):
    client = Client()
    client.cookies[PARTICIPANT_COOKIE] = "forged:value"
    response = client.post(url(contest, "start"))
    assert response.status_code == 422
    assert "请先填写参赛信息" in response.content.decode()


def test_start_on_a_closed_contest_is_409(participant_client, contest):
    contest.closes_at = timezone.now() - timedelta(minutes=1)
    contest.opens_at = timezone.now() - timedelta(days=2)
    contest.save_revision().publish()
    response = participant_client.post(url(contest, "start"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "不在开放时间内" in html
    assert f'<a href="{contest.url}">返回答卷首页</a>' in html


def test_a_phone_posted_for_a_child_is_not_kept(client, contest, school):
    contest.ask_phone = True
    contest.save_revision().publish()
    form = {
        "unit": school.pk,
        "name": "王小红",
        "age_band": "under14",
        "guardian_consent": "on",
        "phone": "13812341234",
    }
    assert client.post(url(contest, "identify"), form).status_code == 302
    assert (
        Participant.objects.get(name="王小红").phone_digest,
        Participant.objects.get(name="王小红").phone_masked,
    ) == ("", "")


def test_wrong_unit_kind_at_identify_is_403(client, contest):
    from organizations.factories import UnitFactory
    from organizations.models import UnitKind

    community = UnitFactory(kind=UnitKind.COMMUNITY, name="测试社区")
    response = client.post(url(contest, "identify"), {"unit": community.pk, "name": "王阿姨", "age_band": "adult"})
    assert response.status_code == 403
    assert not Participant.objects.filter(name="王阿姨").exists()


@pytest.mark.parametrize(
    "form",
    [
        {"name": "王小红", "age_band": "under14"},  # no consent
        {"name": "", "age_band": "adult"},
        {"name": "王小红", "age_band": "martian"},
        {"name": "王小红", "age_band": "adult", "unit": "abc"},
    ],
)
def test_bad_identify_forms_are_422_and_create_no_participant(client, contest, school, form):
    form.setdefault("unit", school.pk)
    before = Participant.objects.count()
    response = client.post(url(contest, "identify"), form)
    assert response.status_code == 422
    assert Participant.objects.count() == before


def test_get_on_post_only_routes_is_405(participant_client, contest):
    assert participant_client.get(url(contest, "start")).status_code == 405
    assert participant_client.get(url(contest, "identify")).status_code == 405


def test_starting_too_often_is_429(participant_client, contest):
    cache.clear()
    statuses = [participant_client.post(url(contest, "start")).status_code for _ in range(32)]
    assert statuses[:30] == [302] * 30  # the same sheet, resumed
    assert statuses[-1] == 429
    assert AnswerSheet.objects.filter(contest=contest).count() == 1


def test_results_hide_answers_until_the_contest_closes_when_so_configured(participant_client, contest, participant):
    contest.reveal_answers = AnswerReveal.AFTER_CLOSE
    contest.save_revision().publish()
    sheet = start_sheet(participant_client, contest)
    submit_answer_sheet(public_id=sheet.public_id, participant=participant)
    html = participant_client.get(url(contest, "result", sheet.public_id)).content.decode()
    assert "活动结束后公布" in html
    assert EXPLANATION not in html


def test_rankings_order_by_best_score_then_time_then_finish_and_mask_names(contest, school):
    now = timezone.now()
    people = [("张小明", 100, 90), ("李雷", 100, 60), ("韩梅梅", 80, 30)]
    for name, score_target, seconds in people:
        participant = ParticipantFactory(unit=school, name=name)
        sheet = start_answer_sheet(contest=contest, participant=participant, now=now)
        answers = correct_answers(sheet) if score_target == 100 else dict(list(correct_answers(sheet).items())[:4])
        submit_answer_sheet(
            public_id=sheet.public_id, participant=participant, answers=answers, now=now + timedelta(seconds=seconds)
        )
    cache.clear()
    html = Client().get(url(contest, "rankings")).content.decode()
    order = [html.index(mask_name(name)) for name in ("李雷", "张小明", "韩梅梅")]
    assert order == sorted(order)
    assert "张*明" in html and "韩*梅" in html and "李*" in html
    assert "张小明" not in html
    assert school.name in html


def test_a_scanned_school_fixes_the_unit_and_a_typed_one_is_ignored(client, contest, school):
    from organizations.factories import UnitFactory
    from organizations.models import UnitKind

    other = UnitFactory(kind=UnitKind.SCHOOL, name="另一所小学")
    client.get(school.get_join_url())
    landing = client.get(url(contest)).content.decode()
    assert f"单位：{school.name}（来自扫码链接）" in landing
    client.post(url(contest, "identify"), {"unit": other.pk, "name": "扫码同学", "age_band": "adult"})
    assert Participant.objects.get(name="扫码同学").unit == school


def test_a_scanned_unit_of_the_wrong_kind_falls_back_to_the_search(client, contest, school):
    from organizations.factories import UnitFactory
    from organizations.models import UnitKind

    community = UnitFactory(kind=UnitKind.COMMUNITY, name="扫码测试社区")
    client.get(community.get_join_url())
    assert "来自扫码链接" not in client.get(url(contest)).content.decode()
    response = client.post(url(contest, "identify"), {"unit": school.pk, "name": "换校同学", "age_band": "adult"})
    assert response.status_code == 302
    assert Participant.objects.get(name="换校同学").unit == school


def test_landing_says_when_todays_attempts_are_used(participant_client, contest, participant):
    sheet = start_sheet(participant_client, contest)
    submit_answer_sheet(public_id=sheet.public_id, participant=participant)
    html = participant_client.get(url(contest)).content.decode()
    assert "今天的答题次数已用完" in html
    assert "开始答题</button>" not in html
    assert "第 1 次：0 / 100 分" in html


def test_admin_contest_editor_shows_the_saved_unit_kinds(client, contest):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    html = client.get(f"/admin/pages/{contest.pk}/edit/").content.decode()
    assert re.search(r'<input type="checkbox" name="allowed_unit_kinds" value="school"[^>]*checked', html)
    assert not re.search(r'<input type="checkbox" name="allowed_unit_kinds" value="enterprise"[^>]*checked', html)


def test_a_question_image_is_shown_with_its_alt_text(participant_client, contest, questions):
    from home.factories import PosterImageFactory

    image = PosterImageFactory(title="燃气阀门示意图")
    for question in questions:
        question.stem_image, question.stem_image_alt = image, "燃气阀门的位置示意"
        question.save()
    sheet = start_sheet(participant_client, contest)
    html = participant_client.get(url(contest, "sheet", sheet.public_id)).content.decode()
    assert html.count('alt="燃气阀门的位置示意"') == 5


def test_the_home_page_slot_lists_the_open_contests_or_says_none_are_open(contest, home_page):
    render = engines["django"].from_string("{% load quizzes_tags %}{% home_open_contests page %}").render
    html = render({"page": home_page}, RequestFactory().get("/"))
    assert f'<a href="{contest.url}">{contest.title}</a>' in html
    assert "截止时间" in html
    empty_root = ContestIndexPageFactory(parent=home_page)
    html = render({"page": empty_root}, RequestFactory().get("/"))
    assert 'aria-labelledby="contests-heading"' in html
    assert "答卷活动开放后将在这里显示。" in html
