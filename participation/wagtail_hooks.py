from django.contrib.auth.models import Permission
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.actions.create import CreateAction
from wagtail.actions.delete import DeleteAction
from wagtail.actions.edit import EditAction
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.log_actions import log
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from organizations.admin_scopes import ScopedUnitForm, scoped_views
from organizations.scopes import restrict_rows

from . import admin_views, bulletin_views, services
from . import permissions as _permissions  # noqa: F401  registers the reports' policy before the viewset
from .models import ActivityReport


def _save_report(action):
    report = action.form.save(commit=False) if action.form else action.instance
    action.instance = services.save_activity_report(report=report)


class CreateActivityReportAction(CreateAction):
    """The admin's create and edit go through the service, which keeps the report's ledger entry."""

    def _save_instance(self):
        _save_report(self)


class EditActivityReportAction(EditAction):
    def _save_instance(self):
        _save_report(self)


class DeleteActivityReportAction(DeleteAction):
    def _delete(self):
        if self.log_action:
            log(instance=self.instance, action=self.log_action, user=self.user, deleted=True)
        services.delete_activity_report(report=self.instance)


@hooks.register("register_actions")
def register_activity_report_actions(registry):
    for action_class in (CreateActivityReportAction, EditActivityReportAction, DeleteActivityReportAction):
        registry.register(ActivityReport, action_class)


@scoped_views(out_of_scope_not_found=True)
class ActivityReportViewSet(SnippetViewSet):
    """A scoped account lists, opens and reports only its own units' activities."""

    model = ActivityReport
    icon = "group"
    menu_label = _("活动上报")
    menu_order = 235
    add_to_admin_menu = True
    list_display = ["title", "unit", "campaign", "audience", "people", "held_on"]
    list_filter = ["campaign", "audience"]
    ordering = ["-held_on"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("campaign"), FieldPanel("held_on")]),
            FieldPanel("title"),
            FieldPanel("unit"),
            FieldRowPanel([FieldPanel("audience"), FieldPanel("people")]),
            FieldPanel("note"),
        ],
        base_form_class=ScopedUnitForm,
    )

    def get_queryset(self, request):
        return restrict_rows(ActivityReport.objects.select_related("unit", "campaign"), request.user)


register_snippet(ActivityReportViewSet)


@hooks.register("register_admin_urls")
def register_dashboard_urls():
    return [path("participation/", admin_views.dashboard, name="participation_dashboard")]


@hooks.register("register_admin_urls")
def register_bulletin_urls():
    return bulletin_views.urlpatterns()


@hooks.register("register_log_actions")
def register_bulletin_log_action(actions):
    actions.register_action(bulletin_views.LOG_ACTION)(bulletin_views.BulletinLogFormatter)


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_view_report(request.user)


@hooks.register("register_admin_menu_item")
def register_dashboard_menu_item():
    return DashboardMenuItem(_("参与情况"), reverse("participation_dashboard"), icon_name="group", order=230)


@hooks.register("register_permissions")
def register_report_permission():
    return Permission.objects.filter(content_type__app_label="participation", codename="view_report")


# Exports of the dashboard's tables and the ledger (export_views).
@hooks.register("register_admin_urls")
def register_export_urls():
    from . import export_views

    return export_views.urlpatterns()


@hooks.register("register_log_actions")
def register_export_log_action(actions):
    from . import export_views

    actions.register_action(export_views.LOG_ACTION)(export_views.ExportLogFormatter)
