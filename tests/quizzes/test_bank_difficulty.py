"""Difficulty as staff read and type it: 简单/中等/困难 in the import, the export and the admin
listing (numbers 1-3 still accepted); the database keeps 1-3."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.spreadsheets import read_rows
from quizzes import bank
from quizzes.choices import Difficulty
from quizzes.factories import QuestionFactory
from quizzes.models import Question

pytestmark = pytest.mark.django_db


def upload(*rows):
    lines = [",".join(bank.COLUMNS)]
    for key, difficulty in rows:
        cells = [key, "单选题", "燃气", "小学", difficulty, "闻到燃气味时，应该先（　）。", "开窗", "开灯"]
        cells += [""] * (len(bank.OPTION_COLUMNS) - 2) + ["A", "", "", "启用"]
        lines.append(",".join(cells))
    return SimpleUploadedFile("q.csv", ("\n".join(lines) + "\n").encode("utf-8-sig"))


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_import_reads_the_words_and_still_the_numbers():
    result = bank.import_questions(
        file=upload(("d-1", "简单"), ("d-2", "中等"), ("d-3", "困难"), ("d-4", "3"), ("d-5", "")), filename="q.csv"
    )
    assert result.ok, result.errors
    stored = dict(Question.objects.filter(key__startswith="d-").values_list("key", "difficulty"))
    assert stored == {"d-1": 1, "d-2": 2, "d-3": 3, "d-4": 3, "d-5": 1}


@pytest.mark.parametrize("bad", ["很难", "4", "0", "2.5"])
def test_a_bad_difficulty_names_the_row_in_chinese_and_imports_nothing(bad):
    result = bank.import_questions(file=upload(("d-ok", "中等"), ("d-bad", bad)), filename="q.csv")
    assert not result.ok
    [error] = result.errors
    assert (error.line, error.column) == (3, "难度")
    assert "简单、中等或困难" in error.message and bad in error.message
    assert not Question.objects.filter(key__in=["d-ok", "d-bad"]).exists()


def test_export_writes_the_words_and_reimports_unchanged():
    QuestionFactory(key="d-hard", difficulty=Difficulty.HARD)
    header, *rows = (cells for _line, cells in read_rows(bank.export_questions(format="csv"), "csv"))
    column = header.index("难度")
    exported = {cells[0]: cells[column] for cells in rows}
    assert exported["d-hard"] == "困难"
    assert set(exported.values()) <= {"简单", "中等", "困难"}
    again = bank.import_questions(
        file=SimpleUploadedFile("q.xlsx", bank.export_questions(format="xlsx")), filename="q.xlsx"
    )
    assert (again.ok, again.created, again.updated) == (True, 0, 0)


def test_the_database_keeps_one_to_three():
    question = QuestionFactory(key="d-db")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.filter(pk=question.pk).update(difficulty=4)


def test_listing_and_filter_show_the_words(admin_client):
    QuestionFactory(key="d-list", difficulty=Difficulty.MEDIUM, stem="电动自行车应在哪里充电？")
    html = admin_client.get(reverse("wagtailsnippets_quizzes_question:list"), {"difficulty": "2"}).content.decode()
    assert "电动自行车应在哪里充电" in html
    assert "中等" in html and "困难" in html  # the column and the filter's options
    form = admin_client.get(reverse("wagtailsnippets_quizzes_question:add")).content.decode()
    assert '<option value="3">困难</option>' in form
