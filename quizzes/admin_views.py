"""Staff pages in the Wagtail admin: a contest's live numbers, its sheets, per-question
statistics and the Excel export (the 查看答卷 permission); confirming a sheet flagged as
implausible (修改答卷) and granting a person one extra attempt (添加补答机会), both audit-logged;
importing class rosters. A scoped account (a liaison, ``organizations.scopes``) sees and acts on
the sheets and figures of its own units only."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.permission_policies import ModelPermissionPolicy

from core.admin_views import SpreadsheetImportView, requested_format, spreadsheet_download
from core.forms import ImportFileForm
from core.replica import reads_from_replica
from organizations.models import UnitKind
from organizations.scopes import scope_unit

from . import bank, rosters, selectors
from .choices import SheetStatus
from .errors import ContestError
from .models.bank import Question
from .models.rosters import RosterEntry
from .services import review
from .services.export import export_results_xlsx

VIEW_PERMISSION = "quizzes.view_answersheet"
CONFIRM_PERMISSION = "quizzes.change_answersheet"
GRANT_PERMISSION = "quizzes.add_extraattempt"


@reads_from_replica
@permission_required(VIEW_PERMISSION, raise_exception=True)
def contest_reports(request):
    rows = selectors.contest_reports(scope=scope_unit(request.user))
    return TemplateResponse(request, "quizzes/admin/contest_reports.html", {"rows": rows})


def _filters(request):
    return {
        "status": request.GET.get("status", "") if request.GET.get("status") in SheetStatus.values else "",
        "unit_kind": request.GET.get("unit_kind", "") if request.GET.get("unit_kind") in UnitKind.values else "",
        "unit_query": (request.GET.get("unit_q") or "").strip()[:40],
    }


@reads_from_replica
@permission_required(VIEW_PERMISSION, raise_exception=True)
def contest_report(request, contest_id):
    contest = selectors.contest_for_staff(pk=contest_id)
    scope = scope_unit(request.user)
    filters = _filters(request)
    sheets = selectors.staff_sheets(contest=contest, scope=scope, **filters)
    page_obj = Paginator(sheets, 50).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "quizzes/admin/contest_report.html",
        {
            "contest": contest,
            "statistics": selectors.contest_statistics(contest=contest, scope=scope),
            "by_outlet": selectors.participants_by_outlet(contest=contest, scope=scope),
            "questions": selectors.question_statistics(contest=contest, scope=scope),
            "scope": scope,
            "page_obj": page_obj,
            "filters": filters,
            "statuses": SheetStatus.choices,
            "unit_kinds": UnitKind.choices,
            "flagged": selectors.flagged_sheets(contest=contest, scope=scope),
            "can_confirm": request.user.has_perm(CONFIRM_PERMISSION),
            "can_grant": request.user.has_perm(GRANT_PERMISSION),
        },
    )


def _sheet_in_scope(request, contest, public_id):
    sheet = selectors.staff_sheet(contest=contest, public_id=public_id, scope=scope_unit(request.user))
    if sheet is None:
        raise Http404
    return sheet


@require_POST
@permission_required(CONFIRM_PERMISSION, raise_exception=True)
def confirm_sheet(request, contest_id, public_id):
    contest = selectors.contest_for_staff(pk=contest_id)
    sheet = _sheet_in_scope(request, contest, public_id)
    try:
        review.confirm_sheet(contest=contest, public_id=sheet.public_id, user=request.user)
    except ContestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已确认这份答卷，它将计入排行榜。"))
    return redirect("quizzes_report", contest_id=contest.pk)


@require_POST
@permission_required(GRANT_PERMISSION, raise_exception=True)
def grant_attempt(request, contest_id, public_id):
    contest = selectors.contest_for_staff(pk=contest_id)
    sheet = _sheet_in_scope(request, contest, public_id)
    try:
        review.grant_extra_attempt(
            contest=contest, participant=sheet.participant, user=request.user, reason=request.POST.get("reason", "")
        )
    except ContestError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已给 %(name)s 增加一次答题机会。") % {"name": sheet.participant.masked_name})
    return redirect("quizzes_report", contest_id=contest.pk)


@permission_required(VIEW_PERMISSION, raise_exception=True)
def export_results(request, contest_id):
    contest = selectors.contest_for_staff(pk=contest_id)
    sheets = selectors.staff_sheets(contest=contest, scope=scope_unit(request.user), **_filters(request))
    data = export_results_xlsx(sheets=sheets)
    return spreadsheet_download(data, fmt="xlsx", stem=f"contest-{contest.pk}-results")


question_policy = ModelPermissionPolicy(Question)


class ImportQuestionsView(SpreadsheetImportView):
    page_title = gettext_lazy("导入题库")
    form_class = ImportFileForm
    policy = question_policy
    columns = bank.COLUMNS
    format_notes = (
        gettext_lazy("题号：字母、数字和连字符，如 gas-001；已有题号的题目会被更新（已抽到答卷里的旧版本不受影响）。"),
        gettext_lazy(
            "题型：单选题、不定项选择题（或“多选”）、判断题。适用对象：小学、中学、成人。难度：简单、中等、困难（也可填 1、2、3，留空视为简单）。"
        ),
        gettext_lazy("主题：主题名称，如“燃气”。选项A～选项F：依次填写，中间不能空列；判断题填“正确”“错误”两项。"),
        gettext_lazy("答案：正确选项的字母，如 B 或 ACD；判断题也可填“正确”或“错误”。"),
        gettext_lazy("相关文章：专栏文章的 slug，可留空。状态：草稿、启用或停用，留空视为启用。"),
    )
    column_notes = {
        "题号": gettext_lazy("字母、数字和连字符，如 gas-001。"),
        "题型": gettext_lazy("单选题、不定项选择题或判断题。"),
        "适用对象": gettext_lazy("小学、中学或成人。"),
        "难度": gettext_lazy("简单、中等或困难（也可填 1、2、3），留空视为简单。"),
        "答案": gettext_lazy("正确选项的字母，如 B 或 ACD；判断题也可填“正确”或“错误”。"),
        "状态": gettext_lazy("草稿、启用或停用，留空视为启用。"),
    }
    template_stem = "questions-template"
    template_url_name = "quizzes_questions_template"
    export_url_name = "quizzes_export_questions"
    listing_url_name = "wagtailsnippets_quizzes_question:list"

    def run_import(self, form, upload):
        return bank.import_questions(file=upload, filename=upload.name, user=self.request.user)


@permission_required("quizzes.view_question", raise_exception=True)
def export_questions(request):
    fmt = requested_format(request)
    return spreadsheet_download(bank.export_questions(format=fmt), fmt=fmt, stem="questions")


roster_policy = ModelPermissionPolicy(RosterEntry)


class ImportRosterView(SpreadsheetImportView):
    page_title = gettext_lazy("导入班级名单")
    form_class = ImportFileForm
    policy = roster_policy
    columns = rosters.COLUMNS
    format_notes = (
        gettext_lazy("单位：单位代码或完整名称（同名单位请填代码）。班级：如“五年级二班”，没有班级的单位可留空。"),
        gettext_lazy("导入只增加名单上还没有的姓名；重复导入同一文件不会改变什么。删除请在班级名单列表中操作。"),
        gettext_lazy("某单位一旦有名单，只有名单上的姓名（及班级）才能参加该单位的答卷。"),
    )
    column_notes = {
        "单位": gettext_lazy("单位代码或完整名称。"),
        "班级": gettext_lazy("如“五年级二班”，没有班级的单位可留空。"),
    }
    # No export of the current roster: no child's name leaves the site in a file.
    template_stem = "roster-template"
    template_url_name = "quizzes_roster_template"
    listing_url_name = "wagtailsnippets_quizzes_rosterentry:list"

    def run_import(self, form, upload):
        return rosters.import_roster(file=upload, filename=upload.name)
