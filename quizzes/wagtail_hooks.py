from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import Question


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("题库")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["key", "stem", "kind", "topic", "level", "difficulty", "status"]
    list_filter = ["kind", "level", "status", "topic", "difficulty"]
    # No search_fields: modelsearch's SQLite backend fails on named-field search; the index
    # search over Question.search_fields is Chinese-aware.


register_snippet(QuestionViewSet)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("contest-reports/", admin_views.contest_reports, name="quizzes_reports"),
        path("contest-reports/<int:contest_id>/", admin_views.contest_report, name="quizzes_report"),
        path("contest-reports/<int:contest_id>/export/", admin_views.export_results, name="quizzes_export"),
    ]


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return ReportsMenuItem(_("答卷统计"), reverse("quizzes_reports"), icon_name="table", order=220)
