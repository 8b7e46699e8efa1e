"""The demo's simulated sheets, written in bulk: whole, graded, and each in the ledger once the
participation demo has run, with the entry the per-sheet receiver would write."""

import pytest
from django.db.models import Count, Sum
from django.forms.models import model_to_dict

from participation import receivers
from participation.demo import load_demo_participation
from participation.models import ParticipationEntry
from quizzes.demo.loader import load_demo_contests
from quizzes.models import AnswerSheet, Participant, SheetQuestion
from quizzes.services.answering import award

pytestmark = pytest.mark.django_db


def test_simulated_sheets_are_graded_and_each_has_its_ledger_entry(home_page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contests = load_demo_contests(home=home_page, sheets=37)
    assert callbacks == [], "no per-sheet signal"
    sheets = AnswerSheet.objects.filter(contest__in=contests)
    assert sheets.exists()
    for contest in contests:
        questions = sum(rule.count for rule in contest.draw_rules.all())
        points = sum(rule.count * rule.points for rule in contest.draw_rules.all())
        mine = sheets.filter(contest=contest).annotate(rows=Count("questions"), awarded=Sum("questions__awarded"))
        for sheet in mine.select_related("participant"):
            assert sheet.is_finished and sheet.participant.unit_id == sheet.unit_id
            assert (sheet.rows, sheet.max_score, sheet.score) == (questions, points, sheet.awarded)
            assert sheet.started_at < sheet.finished_at <= sheet.deadline
    for row in SheetQuestion.objects.filter(sheet__in=sheets).select_related("version", "sheet__contest")[:200]:
        assert row.awarded == award(row, row.sheet.contest.multiple_scoring)
        assert sorted(row.choice_order) == sorted(choice["id"] for choice in row.version.content["choices"])

    load_demo_participation()
    sources = {receivers.SHEET_SOURCE.format(public_id): pk for pk, public_id in sheets.values_list("pk", "public_id")}
    recorded = {entry.source: entry for entry in ParticipationEntry.objects.filter(source__in=sources)}
    assert set(recorded) == set(sources)
    for sheet in sheets.order_by("pk")[:20]:
        entry = recorded[receivers.SHEET_SOURCE.format(sheet.public_id)]
        fields = model_to_dict(entry, exclude=["id", "updated_at"])
        receivers.record_sheet(sheet=sheet)
        entry.refresh_from_db()
        assert model_to_dict(entry, exclude=["id", "updated_at"]) == fields, "as the per-sheet receiver writes it"
        assert (entry.page_id, entry.unit_id, entry.score) == (sheet.contest_id, sheet.unit_id, sheet.score)

    counts = (
        Participant.objects.count(),
        sheets.count(),
        SheetQuestion.objects.count(),
        ParticipationEntry.objects.count(),
    )
    assert load_demo_contests(home=home_page, sheets=37) == contests
    load_demo_participation()
    assert (
        Participant.objects.count(),
        sheets.count(),
        SheetQuestion.objects.count(),
        ParticipationEntry.objects.count(),
    ) == counts, "running again creates nothing"
