from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models.bank import Question


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("题目")
    list_display = ["key", "stem", "kind", "topic", "level", "difficulty", "status"]
    list_filter = ["kind", "level", "status", "topic", "difficulty"]
    # No search_fields: modelsearch's SQLite backend fails on named-field search; the index
    # search over Question.search_fields is Chinese-aware.


register_snippet(QuestionViewSet)


class QuestionBankMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.question_policy.user_has_any_permission(request.user, ["add", "change", "view"])


question_bank_menu = Menu(
    register_hook_name="register_question_bank_menu_item", construct_hook_name="construct_question_bank_menu"
)


@hooks.register("register_question_bank_menu_item")
def register_question_list_item():
    return QuestionBankMenuItem(_("题目"), reverse("wagtailsnippets_quizzes_question:list"), icon_name="help", order=1)


@hooks.register("register_question_bank_menu_item")
def register_question_import_item():
    return QuestionBankMenuItem(_("导入题库"), reverse("quizzes_import_questions"), icon_name="upload", order=2)


@hooks.register("register_question_bank_menu_item")
def register_question_export_item():
    return QuestionBankMenuItem(
        _("导出题库（Excel）"), reverse("quizzes_export_questions") + "?format=xlsx", icon_name="download", order=3
    )


@hooks.register("register_admin_menu_item")
def register_question_bank_menu():
    return SubmenuMenuItem(_("题库"), question_bank_menu, icon_name="help", order=210)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("contest-reports/", admin_views.contest_reports, name="quizzes_reports"),
        path("contest-reports/<int:contest_id>/", admin_views.contest_report, name="quizzes_report"),
        path("contest-reports/<int:contest_id>/export/", admin_views.export_results, name="quizzes_export"),
        path("questions/import/", admin_views.ImportQuestionsView.as_view(), name="quizzes_import_questions"),
        path("questions/export/", admin_views.export_questions, name="quizzes_export_questions"),
    ]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return ReportsMenuItem(_("答卷统计"), reverse("quizzes_reports"), icon_name="table", order=220)
