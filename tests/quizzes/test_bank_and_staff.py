"""The question bank's spreadsheet import/export, the admin's question form, and the staff reports."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core.spreadsheets import read_rows
from quizzes import bank
from quizzes.choices import QuestionKind, QuestionStatus
from quizzes.factories import ParticipantFactory
from quizzes.models import Question
from quizzes.services.answering import submit_answer_sheet
from quizzes.services.drawing import start_answer_sheet
from quizzes.services.participants import identify_participant

from .conftest import correct_answers

pytestmark = pytest.mark.django_db

HEADER = ",".join(bank.COLUMNS)


def csv_file(*rows, name="questions.csv"):
    return SimpleUploadedFile(name, ("\n".join([HEADER, *rows]) + "\n").encode("utf-8-sig"))


def row(
    key="imp-001",
    kind="单选题",
    topic="燃气",
    level="小学",
    answer="B",
    options=("甲", "乙", "丙", "丁"),
    status="启用",
):
    cells = [key, kind, topic, level, "1", "闻到燃气味时，应该先（　）。", *options]
    cells += [""] * (len(bank.OPTION_COLUMNS) - len(options))
    cells += [answer, "先关阀门再开窗。", "", status]
    return ",".join(cells)


def test_import_creates_updates_and_leaves_unchanged_rows():
    result = bank.import_questions(
        file=csv_file(row(), row(key="imp-002", kind="判断题", options=("正确", "错误"), answer="错误")),
        filename="q.csv",
    )
    assert (result.ok, result.created) == (True, 2)
    tf = Question.objects.get(key="imp-002")
    assert tf.kind == QuestionKind.TRUE_FALSE
    assert [(c.text, c.is_correct) for c in tf.choices.all()] == [("正确", False), ("错误", True)]
    again = bank.import_questions(
        file=csv_file(row(answer="C"), row(key="imp-002", kind="判断题", options=("正确", "错误"), answer="B")),
        filename="q.csv",
    )
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert [c.text for c in Question.objects.get(key="imp-001").choices.filter(is_correct=True)] == ["丙"]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported():
    before = Question.objects.count()
    result = bank.import_questions(
        file=csv_file(
            row(),
            row(key="imp-bad-1", kind="问答题"),
            row(key="imp-bad-2", answer="BC"),
            row(key="imp-bad-3", topic="地震"),
            row(key="imp-001"),
        ),
        filename="q.csv",
    )
    assert not result.ok
    found = {(error.line, error.column) for error in result.errors}
    assert {(3, "题型"), (4, "答案"), (5, "主题"), (6, "题号")} <= found
    assert all(error.message for error in result.errors)
    assert Question.objects.count() == before


def test_a_damaged_xlsx_is_a_clear_error():
    result = bank.import_questions(file=SimpleUploadedFile("q.xlsx", b"not a zip"), filename="q.xlsx")
    assert not result.ok
    assert "Excel" in result.errors[0].message


def test_export_reimports_unchanged():
    for fmt in ("xlsx", "csv"):
        data = bank.export_questions(format=fmt)
        result = bank.import_questions(file=SimpleUploadedFile(f"q.{fmt}", data), filename=f"q.{fmt}")
        assert result.ok, result.errors[:3]
        assert result.unchanged == Question.objects.count()
        assert result.created == result.updated == 0
    header = read_rows(bank.export_questions(format="csv"), "csv")[0][1]
    assert header == bank.COLUMNS


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_admin_question_form_refuses_two_answers_for_a_single_choice_question(admin_client, topic):
    data = {
        "key": "form-001",
        "kind": QuestionKind.SINGLE,
        "status": QuestionStatus.ACTIVE,
        "topic": topic.pk,
        "level": "primary",
        "difficulty": 1,
        "stem": "题干（　）。",
        "explanation": "",
        "choices-TOTAL_FORMS": 3,
        "choices-INITIAL_FORMS": 0,
        "choices-MIN_NUM_FORMS": 2,
        "choices-MAX_NUM_FORMS": 6,
    }
    for n, (text, correct) in enumerate([("甲", True), ("乙", True), ("丙", False)]):
        data.update({f"choices-{n}-text": text, f"choices-{n}-ORDER": n + 1, f"choices-{n}-id": ""})
        if correct:
            data[f"choices-{n}-is_correct"] = "on"
    response = admin_client.post("/admin/snippets/quizzes/question/add/", data)
    assert response.status_code == 200
    assert "单选题至少两个选项，且只能有一个正确答案" in response.content.decode()
    assert not Question.objects.filter(key="form-001").exists()


def test_staff_report_shows_numbers_sheets_and_question_statistics(admin_client, contest, school):
    for n in range(3):
        participant = ParticipantFactory(unit=school, name=f"统{n}号", phone="")
        sheet = start_answer_sheet(contest=contest, participant=participant)
        # A minute on five questions: full marks, but not implausibly fast (those are listed apart).
        submit_answer_sheet(
            public_id=sheet.public_id,
            participant=participant,
            answers=correct_answers(sheet),
            now=sheet.started_at + timedelta(seconds=60),
        )
    html = admin_client.get(f"/admin/contest-reports/{contest.pk}/").content.decode()
    assert "参与 3 人，答卷 3 份" in html
    assert "平均得分率 100.0%" in html
    assert "统*号" in html and "统0号" not in html  # names masked, for every staff account
    assert "100.0%" in html  # per-question correct rate
    filtered = admin_client.get(f"/admin/contest-reports/{contest.pk}/", {"status": "timed_out"}).content.decode()
    assert "统*号" not in filtered


def test_results_export_masks_names_and_phone_numbers(admin_client, home_page):
    from organizations.factories import UnitFactory
    from organizations.models import UnitKind
    from quizzes.factories import ContestIndexPageFactory, ContestPageFactory, DrawRuleFactory

    index = ContestIndexPageFactory(parent=home_page)
    contest = ContestPageFactory(parent=index, allowed_unit_kinds=[UnitKind.ENTERPRISE], ask_phone=True)
    DrawRuleFactory(contest=contest, kind=QuestionKind.SINGLE, level="", count=2, points=50)
    enterprise = UnitFactory(kind=UnitKind.ENTERPRISE, name="导出测试示范公司")
    worker = identify_participant(
        contest=contest, name="赵建工", unit=enterprise, age_band="adult", phone="13812341234"
    )
    sheet = start_answer_sheet(contest=contest, participant=worker)
    submit_answer_sheet(public_id=sheet.public_id, participant=worker)
    response = admin_client.get(f"/admin/contest-reports/{contest.pk}/export/")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][5] == "手机号"
    assert rows[1][0] == "赵*工" and rows[1][5] == "138****1234"
    workbook_text = "".join(str(cell) for row in rows for cell in row)
    assert "赵建工" not in workbook_text and "13812341234" not in workbook_text


def test_reports_need_the_view_permission(client, contest):
    user = get_user_model().objects.create_user(username="nobody", password="x" * 12)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    # Wagtail turns a refusal inside the admin into a redirect to the dashboard with a message.
    for path in (f"/admin/contest-reports/{contest.pk}/", f"/admin/contest-reports/{contest.pk}/export/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_admin_downloads_the_bank_and_a_bad_format_is_404(admin_client):
    response = admin_client.get("/admin/questions/export/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="questions-')
    assert read_rows(response.content, "csv")[0][1] == bank.COLUMNS
    assert admin_client.get("/admin/questions/export/", {"format": "pdf"}).status_code == 404


def test_admin_question_import_page_lists_bad_rows(admin_client):
    upload = csv_file(row(key="page-bad", kind="问答题"))
    response = admin_client.post("/admin/questions/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "题型应为" in html
    assert not Question.objects.filter(key="page-bad").exists()
