"""Spreadsheet exports as background tasks (django-tasks): the job's writes and reads, and the
writer a task calls with its rows.

A view creates the job (``create_export_job``) and enqueues an app's task on the ``exports``
backend with the job's id; the task calls ``start_export``, then ``write_export`` with a header
and an iterable of rows, which streams them to an .xlsx (openpyxl write-only) or a .csv (UTF-8 with
a byte-order mark) file, every cell as text, and records the progress every ``PROGRESS_EVERY``
rows; ``fail_export`` records a failure. The worker is ``manage.py db_worker`` (the database
backend) or ``manage.py rqworker exports`` (RQ, when REDIS_URL is set); see README.
"""

import csv
import datetime
import io
import re
import secrets
import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from .models import ExportFormat, ExportJob, ExportStatus
from .spreadsheets import csv_text, xlsx_header, xlsx_text

# Characters Windows does not allow in a file name.
UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
TASK_BACKEND = "exports"  # the alias in settings.TASKS
TASK_QUEUE = "exports"
PROGRESS_EVERY = 5000
RECENT_EXPORTS = 20
# Exported files hold (masked) personal data: they are deleted this long after they were asked for.
EXPORT_RETENTION = datetime.timedelta(days=7)
CONTENT_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


# Writes -----------------------------------------------------------------------------------------


def create_export_job(*, user, table, label, scope, params, format, filename):
    """A queued job; ``filename`` is the download's name without the extension."""
    with transaction.atomic():
        job = ExportJob(
            user=user,
            table=table,
            label=label,
            scope=scope,
            params=params,
            format=format,
            filename=f"{UNSAFE_FILENAME.sub('_', filename)[:150]}.{format}",
        )
        job.full_clean()
        job.save()
    return job


def set_task_id(*, job, task_id):
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(task_id=task_id)
    job.task_id = task_id
    return job


def start_export(*, job_id):
    """The job, now running; None if it is gone or already taken (a task delivered twice)."""
    with transaction.atomic():
        claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
            status=ExportStatus.RUNNING, started_at=timezone.now()
        )
    return ExportJob.objects.get(pk=job_id) if claimed else None


def _set_progress(job, done, total):
    job.rows_done, job.rows_total = done, total
    # A plain UPDATE of two numbers: the progress page reads them while the task runs.
    ExportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)


def fail_export(*, job, message=None):
    with transaction.atomic():
        job.status = ExportStatus.FAILED
        job.error = str(message or _("导出失败，请稍后重试；如果仍然失败，请联系管理员。"))
        job.finished_at = timezone.now()
        job.full_clean()
        job.save(update_fields=["status", "error", "finished_at"])
    return job


def write_export(*, job, header, rows, total):
    """Stream ``rows`` (lists of values, ``total`` of them) into the job's file and mark it done.
    Memory stays bounded whatever ``total`` is: the rows are never held together."""
    _set_progress(job, 0, total)
    progress = _Progress(job, total)
    with tempfile.TemporaryFile() as out:
        if job.format == ExportFormat.XLSX:
            _write_xlsx(out, job.label, header, progress.count(rows))
        else:
            _write_csv(out, header, progress.count(rows))
        out.seek(0)
        with transaction.atomic():
            job.file.save(f"{secrets.token_hex(16)}.{job.format}", File(out), save=False)
            job.status = ExportStatus.DONE
            job.rows_done = job.rows_total = progress.done
            job.finished_at = timezone.now()
            job.full_clean()
            job.save(update_fields=["file", "status", "rows_done", "rows_total", "finished_at"])
    return job


def purge_expired_exports(*, now=None):
    """Delete the jobs older than EXPORT_RETENTION and their files; the number deleted."""
    cutoff = (now or timezone.now()) - EXPORT_RETENTION
    expired = list(ExportJob.objects.filter(created_at__lt=cutoff))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)


class _Progress:
    """Counts the rows passing through and saves the job's progress every PROGRESS_EVERY rows."""

    def __init__(self, job, total):
        self.job, self.total, self.done = job, total, 0

    def count(self, rows):
        for row in rows:
            yield row
            self.done += 1
            if self.done % PROGRESS_EVERY == 0:
                _set_progress(self.job, self.done, max(self.done, self.total))


def _write_xlsx(out, title, header, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])  # Excel's limit for a sheet name
    for index, column in enumerate(header, start=1):
        # Chinese characters are about two Latin characters wide.
        sheet.column_dimensions[get_column_letter(index)].width = max(10, len(str(column)) * 2 + 4)
    sheet.freeze_panes = "A2"
    sheet.append(xlsx_header(sheet, header))
    for row in rows:
        sheet.append([xlsx_text(sheet, value) for value in row])
    workbook.save(out)


def _write_csv(out, header, rows):
    # The byte-order mark makes Excel and WPS read UTF-8 rather than the system code page.
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        writer = csv.writer(text)
        writer.writerow([csv_text(column) for column in header])
        writer.writerows([csv_text(value) for value in row] for row in rows)
        text.flush()
    finally:
        text.detach()  # ``out`` stays open for the caller


# Reads ------------------------------------------------------------------------------------------


def recent_exports(*, user, limit=RECENT_EXPORTS):
    return list(ExportJob.objects.filter(user=user)[:limit])


def export_for(*, user, pk):
    """The user's own job with id ``pk``, or None: nobody sees another account's exports."""
    return ExportJob.objects.filter(user=user, pk=pk).first()
