"""One person, one allowance (issue 9): identifying again finds the same participant, rosters,
rate limits on identify, no answer key before the reveal, implausible sheets held from the
rankings, a shared computer, extra attempts, and hostile autosave bodies."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.people import phone_digest
from quizzes.choices import AgeBand, AnswerReveal, SheetStatus
from quizzes.models import AnswerSheet, Participant, RosterEntry
from quizzes.participant_cookie import PARTICIPANT_COOKIE
from quizzes.services.answering import save_answers, submit_answer_sheet
from quizzes.services.drawing import start_answer_sheet
from quizzes.services.participants import identify_participant

from .conftest import EXPLANATION, child_form, correct_answers, url

pytestmark = pytest.mark.django_db


def identify(client, contest, form):
    return client.post(url(contest, "identify"), form)


def finish(client, contest, *, seconds=60):
    """Start and submit a sheet with every answer right, ``seconds`` after it started."""
    assert client.post(url(contest, "start")).status_code == 302
    sheet = AnswerSheet.objects.filter(contest=contest).latest("started_at")
    submit_answer_sheet(
        public_id=sheet.public_id,
        participant=sheet.participant,
        answers=correct_answers(sheet),
        now=sheet.started_at + timedelta(seconds=seconds),
    )
    sheet.refresh_from_db()
    return sheet


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.get(username="admin")


# 1. The same person again is the same participant ------------------------------------------------


def test_identifying_again_from_a_fresh_browser_keeps_the_used_allowance(contest, school):
    first = Client()
    assert identify(first, contest, child_form(school)).status_code == 302
    finish(first, contest)

    second = Client()  # cookie cleared: another phone, or a private window
    # Typed differently: a space inside, full-width digits in the class.
    response = identify(
        second, contest, child_form(school, name="王 小红", class_name="五年级２班".replace("２", "二"))
    )
    assert response.status_code == 302
    assert (
        response.cookies[PARTICIPANT_COOKIE].value.split(":")[0]
        == first.cookies[PARTICIPANT_COOKIE].value.split(":")[0]
    )
    assert Participant.objects.filter(unit=school, name__in=["王小红", "王 小红"]).count() == 1
    assert "今天的答题次数已用完" in second.get(url(contest)).content.decode()
    refused = second.post(url(contest, "start"))
    assert refused.status_code == 409
    assert AnswerSheet.objects.filter(contest=contest).count() == 1


def test_identifying_again_with_the_same_cookie_gives_the_same_participant(client, contest, school):
    identify(client, contest, child_form(school))
    finish(client, contest)
    identify(client, contest, child_form(school))
    assert client.post(url(contest, "start")).status_code == 409
    assert Participant.objects.filter(unit=school, name="王小红").count() == 1


def test_a_different_class_or_phone_is_a_different_person(contest, school):
    contest.ask_phone = True
    a = identify_participant(contest=contest, name="李华", unit=school, age_band=AgeBand.ADULT, phone="13800000001")
    assert (
        identify_participant(contest=contest, name="李华", unit=school, age_band=AgeBand.ADULT, phone="13800000001")
        == a
    )
    assert (
        identify_participant(contest=contest, name="李华", unit=school, age_band=AgeBand.ADULT, phone="13800000002")
        != a
    )
    assert (
        identify_participant(contest=contest, name="李华", unit=school, age_band=AgeBand.ADULT, class_name="一班") != a
    )


def test_the_database_refuses_two_participants_with_one_person_key(contest, school):
    person = identify_participant(contest=contest, name="李华", unit=school, age_band=AgeBand.ADULT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(name="李华", unit=school, age_band=AgeBand.ADULT, person_key=person.person_key)


# 2. Class rosters ----------------------------------------------------------------------------------


def test_where_a_school_has_a_roster_only_names_on_it_may_identify(client, contest, school):
    RosterEntry.objects.create(unit=school, class_name="五年级二班", name="王小红")
    response = identify(client, contest, child_form(school, name="路人甲"))
    assert response.status_code == 422
    html = response.content.decode()
    assert "没有在本单位的参赛名单中找到" in html
    assert 'value="路人甲"' in html and 'value="五年级二班"' in html  # the form comes back filled in
    assert f'<option value="{school.pk}" selected>' in html
    assert not Participant.objects.filter(name="路人甲").exists()
    # Right name, wrong class: refused too.
    assert identify(client, contest, child_form(school, class_name="五年级三班")).status_code == 422
    # The name on the roster, typed with a space and a full-width class digit.
    assert identify(client, contest, child_form(school, name="王 小红")).status_code == 302


def test_a_school_without_a_roster_is_open_to_any_name(client, contest, school):
    RosterEntry.objects.create(unit=UnitFactory(kind=UnitKind.SCHOOL), class_name="一班", name="别校学生")
    assert identify(client, contest, child_form(school, name="路人甲")).status_code == 302


def test_staff_import_a_roster_by_class_and_a_second_import_changes_nothing(admin_client, school):
    body = f"单位,班级,姓名\n{school.name},五年级二班,王小红\n{school.name},五年级二班,李 雷\n".encode("utf-8-sig")
    upload = SimpleUploadedFile("名单.csv", body, content_type="text/csv")
    response = admin_client.post(reverse("quizzes_import_roster"), {"file": upload}, follow=True)
    assert "新增 2 条" in response.content.decode()
    upload = SimpleUploadedFile("名单.csv", body, content_type="text/csv")
    response = admin_client.post(reverse("quizzes_import_roster"), {"file": upload}, follow=True)
    assert "新增 0 条" in response.content.decode() and "2 条没有变化" in response.content.decode()
    assert sorted(RosterEntry.objects.filter(unit=school).values_list("name_key", flat=True)) == ["李雷", "王小红"]


def test_a_roster_file_with_an_unknown_unit_or_a_repeated_name_imports_nothing(admin_client, school):
    body = f"单位,班级,姓名\n没有这个学校,一班,甲\n{school.name},一班,乙\n{school.name},一班,乙\n".encode()
    response = admin_client.post(reverse("quizzes_import_roster"), {"file": SimpleUploadedFile("r.csv", body)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "没有这个单位：“没有这个学校”" in html and "与第 3 行重复" in html
    assert not RosterEntry.objects.exists()


def test_adding_a_name_twice_in_the_roster_list_is_a_form_error(admin_client, school):
    RosterEntry.objects.create(unit=school, class_name="一班", name="王小红")
    response = admin_client.post(
        reverse("wagtailsnippets_quizzes_rosterentry:add"), {"unit": school.pk, "class_name": "一班", "name": "王 小红"}
    )
    assert response.status_code == 200
    assert "这个班级的名单里已经有这个姓名" in response.content.decode()
    assert RosterEntry.objects.count() == 1


# 3. Rate limits on identify -------------------------------------------------------------------------


def test_one_name_tried_again_and_again_is_429_with_the_form_kept(client, contest, school):
    contest.ask_phone = True
    contest.save_revision().publish()
    form = child_form(school, age_band="adult", guardian_consent="")
    statuses = [identify(client, contest, {**form, "phone": f"138000000{n:02d}"}).status_code for n in range(21)]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    response = identify(client, contest, {**form, "phone": "13800000099"})
    assert "操作太频繁" in response.content.decode() and 'value="王小红"' in response.content.decode()
    assert not Participant.objects.filter(phone_digest=phone_digest("13800000099")).exists()


def test_a_whole_class_behind_one_address_can_identify(client, contest, school):
    statuses = {identify(Client(), contest, child_form(school, name=f"学生{n}")).status_code for n in range(40)}
    assert statuses == {302}


@override_settings(QUIZ_IDENTIFY_RATE_LIMITS={"ip": "3/h"})
def test_identify_is_limited_per_address(contest, school):
    statuses = [identify(Client(), contest, child_form(school, name=f"学生{n}")).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]


# 4. No answer key before the reveal ----------------------------------------------------------------


def test_before_the_reveal_a_result_shows_score_and_band_but_not_which_answers_were_right(client, contest, school):
    contest.reveal_answers = AnswerReveal.AFTER_CLOSE
    contest.save_revision().publish()
    identify(client, contest, child_form(school))
    sheet = finish(client, contest)
    html = client.get(url(contest, "result", sheet.public_id)).content.decode()
    assert "100 / 100 分" in html and "优秀" in html
    for key_hint in ("✓", "✗", "正确答案：", "is-correct", "is-wrong", "（20/20）", EXPLANATION):
        assert key_hint not in html


def test_the_contest_editor_warns_that_reveal_after_submit_exposes_the_bank(admin_client, contest):
    html = admin_client.get(f"/admin/pages/{contest.pk}/edit/").content.decode()
    assert "拼出整个题库的答案" in html


# 5. Implausible sheets ------------------------------------------------------------------------------


def test_full_marks_in_less_than_reading_time_is_held_from_the_rankings_until_confirmed(
    client, admin_client, contest, school
):
    identify(client, contest, child_form(school, name="快手"))
    fast = finish(client, contest, seconds=2)
    honest = Client()
    identify(honest, contest, child_form(school, name="认真"))
    finish(honest, contest, seconds=90)
    assert fast.flagged

    rankings = Client().get(url(contest, "rankings")).content.decode()
    assert "认*" in rankings and "快*" not in rankings
    report = admin_client.get(reverse("quizzes_report", args=[contest.pk])).content.decode()
    assert "存疑答卷" in report and reverse("quizzes_confirm_sheet", args=[contest.pk, fast.public_id]) in report

    response = admin_client.post(reverse("quizzes_confirm_sheet", args=[contest.pk, fast.public_id]))
    assert response.status_code == 302
    assert "快*" in Client().get(url(contest, "rankings")).content.decode()
    entry = ModelLogEntry.objects.get(action="quizzes.sheet.confirm")
    assert entry.object_id == str(fast.pk) and "快手" not in entry.label


def test_a_liaison_without_the_change_permission_cannot_confirm(client, contest, school):
    identify(client, contest, child_form(school, name="快手"))
    fast = finish(client, contest, seconds=1)
    staff = get_user_model().objects.create_user("viewer", password="x-anquan-2026")
    staff.user_permissions.add(*_permissions("wagtailadmin.access_admin", "quizzes.view_answersheet"))
    viewer = Client()
    viewer.force_login(staff)
    # Wagtail answers a refused admin request with a redirect to the dashboard.
    assert viewer.post(reverse("quizzes_confirm_sheet", args=[contest.pk, fast.public_id])).status_code in (302, 403)
    fast.refresh_from_db()
    assert fast.confirmed_at is None


def _permissions(*names):
    from django.contrib.auth.models import Permission

    return [Permission.objects.get(content_type__app_label=n.split(".")[0], codename=n.split(".")[1]) for n in names]


# 6. A shared computer -------------------------------------------------------------------------------


def test_the_landing_names_who_is_identified_and_switching_person_forgets_them(client, contest, school):
    response = identify(client, contest, child_form(school))
    cookie = response.cookies[PARTICIPANT_COOKIE]
    assert int(cookie["max-age"]) <= (contest.closes_at - timezone.now()).total_seconds() + 1
    assert int(cookie["max-age"]) < 31 * 24 * 3600
    html = client.get(url(contest)).content.decode()
    assert "当前答题人：王*红（测试实验小学）" in html and "不是我 / 换人" in html
    assert "王小红" not in html

    response = client.post(url(contest, "forget"))
    assert response.status_code == 302
    assert response.cookies[PARTICIPANT_COOKIE]["max-age"] == 0
    html = client.get(url(contest)).content.decode()
    assert "当前答题人" not in html and "填写参赛信息" in html


# 7. One extra attempt --------------------------------------------------------------------------------


def test_staff_grant_one_extra_attempt_which_is_used_once_and_logged(client, admin_client, contest, school):
    identify(client, contest, child_form(school))
    sheet = finish(client, contest)
    assert client.post(url(contest, "start")).status_code == 409  # today's one attempt is used

    grant_url = reverse("quizzes_grant_attempt", args=[contest.pk, sheet.public_id])
    assert admin_client.post(grant_url, {"reason": "系统故障"}).status_code == 302
    again = admin_client.post(grant_url, {"reason": "系统故障"}, follow=True)
    assert "已有一次尚未使用的补答机会" in again.content.decode()
    entry = ModelLogEntry.objects.get(action="quizzes.attempt.grant")
    assert entry.data["reason"] == "系统故障"

    assert "开始答题" in client.get(url(contest)).content.decode()
    second = finish(client, contest)
    assert second.attempt_number == 2
    assert client.post(url(contest, "start")).status_code == 409


def test_a_grant_needs_a_reason(admin_client, contest, participant):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    response = admin_client.post(reverse("quizzes_grant_attempt", args=[contest.pk, sheet.public_id]), follow=True)
    assert "请填写补答原因" in response.content.decode()


# 8. Hostile autosave bodies ----------------------------------------------------------------------------

HOSTILE_BODIES = [
    '{"position": [1], "choices": [1]}',
    '{"position": {"a": 1}, "choices": [1]}',
    '{"position": 1e999, "choices": [1]}',
    '{"position": Infinity, "choices": [1]}',
    '{"position": NaN, "choices": [1]}',
    '{"position": 1.5, "choices": [1]}',
    '{"position": true, "choices": [1]}',
    '{"position": 99999999999999999999999999, "choices": [1]}',
    '{"position": 1, "choices": [true]}',
    '{"position": 1, "choices": [1.0]}',
    '{"position": 1, "choices": [[1]]}',
    '{"position": 1, "choices": [{"id": 1}]}',
    '{"position": 1, "choices": [1e999]}',
    '{"position": 1, "choices": [-Infinity]}',
    '{"position": 1, "choices": [99999999999999999999999999]}',
    '{"position": 1, "choices": {"1": 1}}',
    '{"position": "²", "choices": [1]}',
    '{"position": 1, "choices": ["²"]}',
    '{"position": 1' + "0" * 5000 + "}",
    "[" * 5000 + "]" * 5000,
    '{"position": 1, "choices": ' + "[" * 5000 + "]" * 5000 + "}",
    "[1, 2]",
    "null",
    '"text"',
]


def _autosave(client, sheet, body):
    return client.post(
        reverse("quizzes:answer", args=[sheet.public_id]),
        body,
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_hostile_autosave_bodies_are_refused_in_chinese_and_keep_what_was_saved(participant_client, contest, body):
    assert participant_client.post(url(contest, "start")).status_code == 302
    sheet = AnswerSheet.objects.get(contest=contest)
    first = sheet.questions.get(position=1)
    saved = _autosave(participant_client, sheet, json.dumps({"position": 1, "choices": [first.choice_order[0]]}))
    assert saved.status_code == 200
    response = _autosave(participant_client, sheet, body)
    assert response.status_code in (400, 413, 422)
    assert any("\u4e00" <= char <= "\u9fff" for char in response.json()["error"])
    first.refresh_from_db()
    assert first.selected == [first.choice_order[0]]
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.IN_PROGRESS


def test_an_oversized_autosave_body_is_413(participant_client, contest):
    assert participant_client.post(url(contest, "start")).status_code == 302
    sheet = AnswerSheet.objects.get(contest=contest)
    response = _autosave(participant_client, sheet, json.dumps({"position": 1, "choices": [1] * 5000}))
    assert response.status_code == 413
    assert response.json()["error"] == "提交的内容太大。"


@pytest.mark.parametrize("position", ["²", "1.5", "-1", "99999999999999999999", " 1", ""])
def test_hostile_autosave_form_positions_are_422(participant_client, contest, position):
    assert participant_client.post(url(contest, "start")).status_code == 302
    sheet = AnswerSheet.objects.get(contest=contest)
    response = participant_client.post(
        reverse("quizzes:answer", args=[sheet.public_id]), {"position": position, "choices": ["1"]}
    )
    assert response.status_code == 422


def test_choice_ids_that_python_would_coerce_are_refused_by_the_service(contest, participant):
    sheet = start_answer_sheet(contest=contest, participant=participant)
    for bad in ([True], [1.0], ["²"], ["1_0"], [10**30]):
        with pytest.raises(Exception) as refused:
            save_answers(public_id=sheet.public_id, participant=participant, answers={1: bad})
        assert getattr(refused.value, "status", None) == 422


# 9. Reviewers (审核) -------------------------------------------------------------------------------------


@pytest.fixture
def reviewer_client(db):
    client = Client()
    client.force_login(get_user_model().objects.get(username="shenhe"))  # the demo's 审核 account
    return client


def _question_form(question, correct_index):
    data = {
        "key": question.key,
        "kind": question.kind,
        "status": question.status,
        "topic": question.topic_id,
        "level": question.level,
        "difficulty": question.difficulty,
        "stem": question.stem,
        "explanation": question.explanation,
        "choices-TOTAL_FORMS": question.choices.count(),
        "choices-INITIAL_FORMS": question.choices.count(),
        "choices-MIN_NUM_FORMS": 2,
        "choices-MAX_NUM_FORMS": 6,
    }
    for n, choice in enumerate(question.choices.all()):
        data.update({f"choices-{n}-text": choice.text, f"choices-{n}-ORDER": n + 1, f"choices-{n}-id": choice.pk})
        if n == correct_index:
            data[f"choices-{n}-is_correct"] = "on"
    return data


def test_a_reviewer_changing_an_active_questions_answer_is_logged_and_shown(reviewer_client, questions):
    question = questions[0]
    edit_url = reverse("wagtailsnippets_quizzes_question:edit", args=[question.pk])
    response = reviewer_client.post(edit_url, _question_form(question, correct_index=0))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = ModelLogEntry.objects.get(action="quizzes.question.answer_change", object_id=str(question.pk))
    assert entry.user.username == "shenhe"
    assert (entry.data["before"], entry.data["after"]) == (["正确选项0"], ["错误选项A0"])
    history = reviewer_client.get(reverse("wagtailsnippets_quizzes_question:history", args=[question.pk]))
    assert "把正确答案由“正确选项0”改为“错误选项A0”" in history.content.decode()


def test_editing_an_active_question_without_changing_its_answer_logs_no_answer_change(reviewer_client, questions):
    question = questions[0]
    data = {**_question_form(question, correct_index=1), "explanation": "新的解析。"}
    assert (
        reviewer_client.post(reverse("wagtailsnippets_quizzes_question:edit", args=[question.pk]), data).status_code
        == 302
    )
    assert not ModelLogEntry.objects.filter(action="quizzes.question.answer_change").exists()


def test_a_reviewer_sees_no_participants_in_the_contest_reports(reviewer_client, contest, participant):
    start_answer_sheet(contest=contest, participant=participant)
    for route in (reverse("quizzes_report", args=[contest.pk]), reverse("quizzes_export", args=[contest.pk])):
        response = reviewer_client.get(route)
        assert response.status_code in (302, 403)
        assert participant.masked_name not in response.content.decode()


def test_an_import_changing_an_active_questions_answer_is_logged(questions):
    from quizzes import bank

    reviewer = get_user_model().objects.get(username="shenhe")
    row = [
        "test-single-0",
        "单选题",
        "测试题目",
        "小学",
        "1",
        questions[0].stem,
        "错误选项A0",
        "正确选项0",
        "错误选项C0",
    ]
    row += ["", "", "", "A", EXPLANATION, "", "启用"]
    data = bank.write_rows(bank.COLUMNS, [row], "csv")
    result = bank.import_questions(file=SimpleUploadedFile("q.csv", data), filename="q.csv", user=reviewer)
    assert result.ok and result.updated == 1
    entry = ModelLogEntry.objects.get(action="quizzes.question.answer_change")
    assert (entry.user, entry.data["before"], entry.data["after"]) == (reviewer, ["正确选项0"], ["错误选项A0"])


def test_a_roster_imported_during_the_contest_stops_those_not_on_it_from_starting(participant_client, contest, school):
    RosterEntry.objects.create(unit=school, class_name="五年级二班", name="别的同学")
    response = participant_client.post(url(contest, "start"))
    assert response.status_code == 422
    assert "没有在本单位的参赛名单中找到" in response.content.decode()
    assert not AnswerSheet.objects.filter(contest=contest).exists()


def test_the_roster_pages_are_in_the_admin_with_names_masked_in_the_list(admin_client, school):
    RosterEntry.objects.create(unit=school, class_name="五年级二班", name="王小红")
    listing = admin_client.get(reverse("wagtailsnippets_quizzes_rosterentry:list")).content.decode()
    assert "王*红" in listing and "王小红" not in listing
    assert admin_client.get(reverse("quizzes_import_roster")).status_code == 200
    template = admin_client.get(reverse("quizzes_roster_template") + "?format=csv")
    assert template.content.decode("utf-8-sig").strip() == "单位,班级,姓名"
    menu = admin_client.get("/admin/").content.decode()  # the menu is JSON for the sidebar
    assert reverse("quizzes_import_roster") in menu
