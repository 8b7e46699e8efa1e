import django_filters
from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from core.admin_columns import YesNoColumn
from core.permissions import can_import, can_see

from . import people
from .admin_scopes import ScopedUnitForm, UnitChooserViewSet, scoped_views, units_in_scope
from .admin_views import ExportView, ImportHeadcountsView, ImportUnitsView
from .forms import UnitAdminForm
from .models import Campaign, Headcount, StaffScope, Unit, UnitKind
from .permissions import headcount_policy, unit_policy
from .scopes import is_scoped, restrict_rows, restrict_units

MENU_HOOK = "register_organizations_menu_item"


def _towns_in_scope(request):
    towns = Unit.objects.of_kind(UnitKind.TOWN)
    return towns if request is None else restrict_units(towns, request.user)


class UnitFilterSet(WagtailFilterSet):
    # Only the towns the account may see, so the filter names no other town.
    town = django_filters.ModelChoiceFilter(label=_("所属镇街"), queryset=_towns_in_scope)

    class Meta:
        model = Unit
        fields = ["kind", "town", "is_active"]


class UnitIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = [
            *super().get_list_more_buttons(instance),
            ListingMenuItem(
                _("打印二维码海报"),
                reverse("organizations:poster", args=[instance.pk]),
                icon_name="doc-full",
                priority=30,
            ),
        ]
        if instance.kind == UnitKind.TOWN:
            buttons.append(
                ListingMenuItem(
                    _("打印本镇街全部海报"),
                    reverse("organizations:town_posters", args=[instance.pk]),
                    icon_name="doc-full-inverse",
                    priority=31,
                )
            )
        return buttons


@scoped_views
class UnitViewSet(SnippetViewSet):
    model = Unit
    icon = "site"
    index_view_class = UnitIndexView
    chooser_viewset_class = UnitChooserViewSet
    list_display = [
        "name",
        "kind",
        "parent",
        "town",
        "code",
        "liaison_name",
        "liaison_phone",
        YesNoColumn("is_active", label=_("启用")),
    ]
    filterset_class = UnitFilterSet
    # No search_fields: modelsearch's SQLite backend fails when asked to search named fields;
    # a plain search uses Unit.search_fields (name and aliases) through our Chinese backend.
    ordering = ["name"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
            FieldPanel("parent", widget=forms.Select),
            FieldPanel("code"),
            FieldPanel("aliases"),
            FieldRowPanel([FieldPanel("liaison_name"), FieldPanel("liaison_phone")]),
            FieldPanel("is_active"),
        ],
        base_form_class=UnitAdminForm,
    )

    def get_queryset(self, request):
        return units_in_scope(request.user)


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    icon = "date"
    list_display = ["name", "theme", "starts_on", "ends_on", YesNoColumn("public_report", label=_("公开参与情况"))]
    list_filter = ["year", "public_report"]
    ordering = ["-starts_on", "name"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("year")]),
        FieldPanel("theme"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("public_report"),
        FieldPanel("retention_days"),
    ]


@scoped_views
class HeadcountViewSet(SnippetViewSet):
    model = Headcount
    icon = "group"
    list_display = ["unit", "campaign", "audience", "expected"]
    list_filter = ["campaign", "audience"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("unit"), FieldPanel("campaign", widget=forms.Select)]),
            FieldRowPanel([FieldPanel("audience"), FieldPanel("expected")]),
        ],
        base_form_class=ScopedUnitForm,
    )

    def get_queryset(self, request):
        return restrict_rows(Headcount.objects.select_related("unit", "campaign"), request.user)


class StaffScopeViewSet(SnippetViewSet):
    """联络员账号: which unit a staff account is limited to. Create the account (用户) first, put it in
    the 联络员 group, then assign its unit here. Only city staff (no scope of their own) manage these."""

    model = StaffScope
    icon = "user"
    list_display = ["user", "unit"]
    ordering = ["unit__name"]
    panels = [FieldRowPanel([FieldPanel("user", widget=forms.Select), FieldPanel("unit")])]

    def get_queryset(self, request):
        return StaffScope.objects.select_related("user", "unit")


class UnitsGroup(SnippetViewSetGroup):
    menu_label = _("单位")
    menu_icon = "site"
    items = (UnitViewSet, CampaignViewSet, HeadcountViewSet, StaffScopeViewSet)
    submenu_hook = MENU_HOOK


register_snippet(UnitsGroup)


class _PermittedMenuItem(MenuItem):
    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed = allowed

    def is_shown(self, request):
        return self.allowed(request.user)


@hooks.register(MENU_HOOK)
def import_units_menu_item():
    return _PermittedMenuItem(
        _("导入单位"),
        reverse("organizations_import_units"),
        icon_name="upload",
        order=10,
        allowed=lambda user: can_import(unit_policy, user),
    )


@hooks.register(MENU_HOOK)
def import_headcounts_menu_item():
    return _PermittedMenuItem(
        _("导入应参与人数"),
        reverse("organizations_import_headcounts"),
        icon_name="upload",
        order=11,
        allowed=lambda user: can_import(headcount_policy, user),
    )


@hooks.register(MENU_HOOK)
def export_menu_item():
    return _PermittedMenuItem(
        _("导出"),
        reverse("organizations_export"),
        icon_name="download",
        order=12,
        allowed=lambda user: can_see(unit_policy, user) and not is_scoped(user),
    )


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("units/import/", ImportUnitsView.as_view(), name="organizations_import_units"),
        path("units/import-headcounts/", ImportHeadcountsView.as_view(), name="organizations_import_headcounts"),
        path("units/export/", ExportView.as_view(), name="organizations_export"),
        path("units/import/template/", ImportUnitsView.template_view(), name="organizations_units_template"),
        path(
            "units/import-headcounts/template/",
            ImportHeadcountsView.template_view(),
            name="organizations_headcounts_template",
        ),
    ]


@hooks.register("register_log_actions")
def register_personal_data_log_actions(actions):
    actions.register_action(people.PURGE_ACTION, _("个人信息到期匿名化"), _("保留期满，匿名化了个人信息"))
    actions.register_action(people.LOOKUP_ACTION, _("查询个人信息"), _("查询了个人信息"))
    actions.register_action(people.EXPORT_ACTION, _("导出个人信息"), _("导出了个人信息"))
    actions.register_action(people.DELETE_ACTION, _("删除个人信息"), _("删除（匿名化）了个人信息"))
