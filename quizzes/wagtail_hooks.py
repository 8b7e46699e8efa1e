from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.log_actions import LogFormatter
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views, privacy
from .choices import QuestionStatus
from .models.bank import Question
from .models.rosters import RosterEntry
from .services import review
from .services.bank import ANSWER_CHANGE_ACTION, answer_texts, log_answer_change


class QuestionViewSet(SnippetViewSet):
    model = Question
    icon = "help"
    menu_label = _("题目")
    list_display = ["key", "stem", "kind", "topic", "level", "difficulty", "status"]
    list_filter = ["kind", "level", "status", "topic", "difficulty"]
    # No search_fields: modelsearch's SQLite backend fails on named-field search; the index
    # search over Question.search_fields is Chinese-aware.


register_snippet(QuestionViewSet)


class RosterEntryViewSet(SnippetViewSet):
    model = RosterEntry
    icon = "group"
    menu_label = _("班级名单")
    # Names masked as in every staff list; the full name is in the edit form.
    list_display = ["unit", "class_name", "masked_name"]
    list_filter = ["unit"]
    list_per_page = 100


register_snippet(RosterEntryViewSet)


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


class RosterMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.roster_policy.user_has_any_permission(request.user, ["add", "change", "view"])


@hooks.register("register_question_bank_menu_item")
def register_roster_list_item():
    return RosterMenuItem(
        _("班级名单"), reverse("wagtailsnippets_quizzes_rosterentry:list"), icon_name="group", order=4
    )


@hooks.register("register_question_bank_menu_item")
def register_roster_import_item():
    return RosterMenuItem(_("导入班级名单"), reverse("quizzes_import_roster"), icon_name="upload", order=5)


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
        path(
            "contest-reports/<int:contest_id>/sheets/<uuid:public_id>/confirm/",
            admin_views.confirm_sheet,
            name="quizzes_confirm_sheet",
        ),
        path(
            "contest-reports/<int:contest_id>/sheets/<uuid:public_id>/grant/",
            admin_views.grant_attempt,
            name="quizzes_grant_attempt",
        ),
        path("rosters/import/", admin_views.ImportRosterView.as_view(), name="quizzes_import_roster"),
        path("rosters/template/", admin_views.ImportRosterView.template_view(), name="quizzes_roster_template"),
        path("questions/template/", admin_views.ImportQuestionsView.template_view(), name="quizzes_questions_template"),
    ]


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    actions.register_action(review.CONFIRM_ACTION, _("确认存疑答卷"), _("确认了存疑答卷，计入排行榜"))
    actions.register_action(review.GRANT_ACTION, _("增加答题机会"), _("给答题人增加了一次答题机会"))
    actions.register_action(privacy.ROSTER_PURGE_ACTION, _("班级名单到期删除"), _("删除了保留期满的班级名单"))


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.VIEW_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return ReportsMenuItem(_("答卷统计"), reverse("quizzes_reports"), icon_name="table", order=220)


# An active question's answer changed in the editor is audit-logged with the old and new answer.
# The answer as stored is read before the edit view binds the form, and compared after it saved.
_ANSWER_BEFORE = "_quizzes_answer_before"


@hooks.register("before_edit_snippet")
def remember_answer_before_edit(request, instance):
    if isinstance(instance, Question) and request.method == "POST":
        setattr(request, _ANSWER_BEFORE, (answer_texts(instance), instance.status == QuestionStatus.ACTIVE))


@hooks.register("after_edit_snippet")
def log_answer_change_after_edit(request, instance):
    remembered = getattr(request, _ANSWER_BEFORE, None)
    if isinstance(instance, Question) and remembered is not None:
        before, was_active = remembered
        log_answer_change(question=instance, before=before, was_active=was_active, user=request.user)


class AnswerChangeFormatter(LogFormatter):
    label = _("修改已启用题目的答案")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return gettext("把正确答案由“%(before)s”改为“%(after)s”") % {
            "before": "；".join(data.get("before", [])),
            "after": "；".join(data.get("after", [])),
        }


@hooks.register("register_log_actions")
def register_answer_change_log_action(actions):
    actions.register_action(ANSWER_CHANGE_ACTION)(AnswerChangeFormatter)
