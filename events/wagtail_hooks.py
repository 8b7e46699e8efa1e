from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views, services
from .models import CheckInVolunteer, EventPage


class CheckInVolunteerViewSet(SnippetViewSet):
    """签到志愿者: accounts that may check people in at one event, with no right to edit it. Create
    the account in 用户 first (it needs no group); it signs in at the check-in page's link."""

    model = CheckInVolunteer
    icon = "user"
    menu_label = _("签到志愿者")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["user", "event"]
    panels = [FieldPanel("event"), FieldPanel("user", widget=forms.Select)]

    def get_queryset(self, request):
        return CheckInVolunteer.objects.select_related("user", "event")


register_snippet(CheckInVolunteerViewSet)


@hooks.register("register_admin_urls")
def register_pending_groups_url():
    return admin_views.urlpatterns()


class PendingGroupsMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_review(request.user)


@hooks.register("register_admin_menu_item")
def register_pending_groups_menu_item():
    return PendingGroupsMenuItem(_("集体报名审核"), reverse(admin_views.URL_NAME), icon_name="group", order=245)


@hooks.register("register_page_header_buttons")
def page_header_registrations_button(page, user, view_name, next_url=None):
    if page.specific_class is EventPage and admin_views.may_see_registrations(user, page.specific):
        url = reverse(admin_views.REGISTRATIONS_URL_NAME, args=[page.pk])
        yield Button(_("报名情况"), url, icon_name="group", priority=61)


@hooks.register("register_log_actions")
def register_group_review_log_actions(actions):
    actions.register_action(services.GROUP_CONFIRMED_ACTION, _("确认集体报名"), _("已确认集体报名"))
    actions.register_action(services.GROUP_REFUSED_ACTION, _("拒绝集体报名"), _("已拒绝集体报名"))
