"""Staff pages in the Wagtail admin: a contest's live numbers, its sheets, per-question
statistics and the Excel export. Read-only; needs the 查看答卷 permission."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone

from organizations.models import UnitKind

from . import selectors, services
from .choices import SheetStatus
from .models import ContestPage

VIEW_PERMISSION = "quizzes.view_answersheet"


@permission_required(VIEW_PERMISSION, raise_exception=True)
def contest_reports(request):
    contests = ContestPage.objects.all().order_by("-opens_at")
    rows = [{"contest": contest, **selectors.contest_statistics(contest=contest)["totals"]} for contest in contests]
    return TemplateResponse(request, "quizzes/admin/contest_reports.html", {"rows": rows})


def _filters(request):
    return {
        "status": request.GET.get("status", "") if request.GET.get("status") in SheetStatus.values else "",
        "unit_kind": request.GET.get("unit_kind", "") if request.GET.get("unit_kind") in UnitKind.values else "",
        "unit_query": (request.GET.get("unit_q") or "").strip()[:40],
    }


@permission_required(VIEW_PERMISSION, raise_exception=True)
def contest_report(request, contest_id):
    contest = get_object_or_404(ContestPage, pk=contest_id)
    filters = _filters(request)
    sheets = selectors.staff_sheets(contest=contest, **filters)
    page_obj = Paginator(sheets, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "quizzes/admin/contest_report.html",
        {
            "contest": contest,
            "statistics": selectors.contest_statistics(contest=contest),
            "questions": selectors.question_statistics(contest=contest),
            "page_obj": page_obj,
            "filters": filters,
            "statuses": SheetStatus.choices,
            "unit_kinds": UnitKind.choices,
        },
    )


@permission_required(VIEW_PERMISSION, raise_exception=True)
def export_results(request, contest_id):
    contest = get_object_or_404(ContestPage, pk=contest_id)
    sheets = selectors.staff_sheets(contest=contest, **_filters(request))
    data = services.export_results_xlsx(sheets=sheets)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"contest-{contest.pk}-results-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
