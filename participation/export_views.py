"""Exports of the 参与情况 dashboard's tables (and of the ledger) as Excel or CSV files, written by a
background task (tasks.run_export, core.exports):

- ``POST /admin/participation/exports/new/`` with the dashboard's query (campaign, unit, kind,
  audience, from, to), ``table`` and ``format``: parsed and scoped as the dashboard is (400, 403,
  404 with a Chinese message), then the job is created, recorded in Wagtail's audit log (action
  ``participation.export``: who, which table, which scope) and enqueued; redirects to its page.
- ``/admin/participation/exports/<id>/``: progress (a server-rendered <progress>, reloaded every
  2 s until done) and the download link; ``…/<id>/download/`` the file, as an attachment with its
  Chinese name (409 until it is done); the progress page answers JSON to ``Accept:
  application/json``. Only the account that asked sees either (anyone else: 404). Files are
  deleted after ``core.exports.EXPORT_RETENTION`` (the worker does it; ``manage.py purge_exports`` too).
- ``/admin/participation/exports/``: 我的导出, the account's recent exports.
"""

from urllib.parse import urlencode

from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from wagtail.log_actions import LogFormatter, log

from core import exports
from core.errors import ReaderFacingError
from core.models import ExportFormat, ExportStatus
from core.responses import wants_json

from . import export_tables, tasks
from .admin_views import (
    QUERY_KEYS,
    BadParameter,
    Forbidden,
    NotFound,
    NotReady,
    can_view_report,
    parse_request,
    render_error,
    unit_in_scope,
)

LOG_ACTION = "participation.export"
REFRESH_SECONDS = 2


class ExportLogFormatter(LogFormatter):
    label = gettext_lazy("导出参与情况表格")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("导出了“%(table)s”（%(scope)s，%(format)s）") % {
            "table": data.get("label", ""),
            "scope": data.get("scope") or _("全市"),
            "format": data.get("format", ""),
        }


def _parse_format(value):
    if value not in ExportFormat.values:
        raise BadParameter(_("导出格式只能是 Excel（xlsx）或 CSV。"))
    return value


def _query(params):
    return urlencode({key: params.get(key, "") for key in QUERY_KEYS if params.get(key, "")})


@require_POST
def start_export(request):
    if not can_view_report(request.user):
        return render_error(request, Forbidden())
    try:
        format = _parse_format(request.POST.get("format", ""))
        campaign, unit, filters = parse_request(request.POST)
        unit = unit_in_scope(request.user, unit)
        table = export_tables.table_for(request.POST.get("table", ""), unit)
    except ReaderFacingError as error:
        return render_error(request, error)
    scope = export_tables.Scope(campaign=campaign, unit=unit, filters=filters)
    scope_label = export_tables.scope_label(scope)
    params = {key: request.POST.get(key, "") for key in QUERY_KEYS}
    # The unit the job is about after scoping: a liaison who named none gets its own unit.
    params.update(campaign=str(campaign.pk), unit=str(unit.pk) if unit is not None else "")
    job = exports.create_export_job(
        user=request.user,
        table=table.key,
        label=str(table.label),
        scope=scope_label,
        params=params,
        format=format,
        filename=f"{campaign.name}_{scope_label}_{table.label}_{timezone.localdate():%Y%m%d}",
    )
    log(
        instance=campaign,
        action=LOG_ACTION,
        user=request.user,
        data={
            "job": job.pk,
            "table": table.key,
            "label": str(table.label),
            "scope": scope_label,
            "format": format,
            **{key: params[key] for key in QUERY_KEYS},
        },
    )
    result = tasks.run_export.enqueue(job.pk)
    exports.set_task_id(job=job, task_id=str(result.id))
    return redirect("participation_export", pk=job.pk)


def _own_job(request, pk):
    """(job, None) or (None, error response): 403 without the report permission, 404 for a job of
    another account, so nobody learns which exports exist."""
    if not can_view_report(request.user):
        return None, render_error(request, Forbidden())
    job = exports.export_for(user=request.user, pk=pk)
    if job is None:
        return None, render_error(request, NotFound(_("没有找到这个导出。")))
    return job, None


@require_GET
def export_progress(request, pk):
    job, error = _own_job(request, pk)
    if error is not None:
        return error
    if wants_json(request):
        # For a script (or a page's own polling) that would rather not parse the HTML.
        return JsonResponse(
            {
                "status": job.status,
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "percent": job.percent,
                "error": job.error,
                "download_url": reverse("participation_export_download", args=[job.pk])
                if job.status == ExportStatus.DONE
                else None,
            },
            headers={"Cache-Control": "no-store"},
        )
    return TemplateResponse(
        request,
        "participation/admin/export_progress.html",
        {
            "job": job,
            "refresh_seconds": REFRESH_SECONDS,
            "retention_days": exports.EXPORT_RETENTION.days,
            "dashboard_url": f"{reverse('participation_dashboard')}?{_query(job.params)}",
        },
    )


@require_GET
def export_download(request, pk):
    job, error = _own_job(request, pk)
    if error is not None:
        return error
    if job.status != ExportStatus.DONE:
        return render_error(request, NotReady())
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=exports.CONTENT_TYPES[job.format],
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def export_list(request):
    if not can_view_report(request.user):
        return render_error(request, Forbidden())
    return TemplateResponse(
        request,
        "participation/admin/export_list.html",
        {"jobs": exports.recent_exports(user=request.user)},
    )


def urlpatterns():
    return [
        path("participation/exports/", export_list, name="participation_exports"),
        path("participation/exports/new/", start_export, name="participation_export_start"),
        path("participation/exports/<int:pk>/", export_progress, name="participation_export"),
        path("participation/exports/<int:pk>/download/", export_download, name="participation_export_download"),
    ]
