"""Running queued exports in a test, as the worker does (``manage.py db_worker --batch``), and
reading the files they wrote."""

import csv
import io

from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from openpyxl import load_workbook

from core.models import ExportJob


def run_queued_exports(monkeypatch):
    # Between tasks the worker closes connections it thinks stale; inside a test's transaction that
    # is the test's own connection.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command(
        "db_worker",
        "--batch",
        "--backend=exports",
        "--queue-name=exports",
        "--no-startup-delay",
        "--no-reload",
        verbosity=0,
    )


def downloaded(response):
    return b"".join(response.streaming_content)


def xlsx_cells(data):
    """Every cell of the first sheet, as openpyxl reads it back."""
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows()]


def xlsx_rows(data):
    return [[cell.value for cell in row] for row in xlsx_cells(data)]


def csv_rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def latest_job():
    return ExportJob.objects.order_by("-pk").first()
