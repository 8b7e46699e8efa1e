"""Staff find, export and delete one person's data (设置 → 个人信息): superusers and accounts with
``organizations.manage_personal_data`` only. Every lookup, export and deletion is audit-logged
(outreach.privacy), with the name and phone masked in the log."""

import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from openpyxl import Workbook
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from core.admin_views import AdminPage, spreadsheet_download
from core.privacy import is_mobile_phone
from core.spreadsheets import xlsx_header, xlsx_text
from organizations.models import Unit
from organizations.permissions import PERSONAL_DATA_PERMISSION
from organizations.scopes import is_scoped

from . import privacy

URL_NAME = "outreach_personal_data"


def may_manage_personal_data(user):
    return user.has_perm(PERSONAL_DATA_PERMISSION) and not is_scoped(user)


class PersonLookupForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("单位"), queryset=Unit.objects.order_by("name"), required=False)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=30, required=False)
    phone = forms.CharField(label=gettext_lazy("或手机号"), max_length=11, required=False)

    def clean(self):
        data = super().clean()
        if data.get("phone"):
            if not is_mobile_phone(data["phone"]):
                raise forms.ValidationError({"phone": _("请输入11位手机号。")})
            data["unit"], data["name"] = None, ""
        elif not (data.get("unit") and data.get("name", "").strip()):
            raise forms.ValidationError(_("请填写单位和姓名，或填写手机号。"))
        return data


def _xlsx(header, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("个人信息"))
    sheet.append(xlsx_header(sheet, header))
    for row in rows:
        sheet.append([xlsx_text(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class PersonDataView(AdminPage, TemplateView):
    template_name = "privacy/person_data.html"
    page_title = gettext_lazy("个人信息查询")
    header_icon = "user"

    def dispatch(self, request, *args, **kwargs):
        # The search spans the whole city, so an account limited to one unit may not use it.
        if not may_manage_personal_data(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not request.GET:
            return self.render_to_response(self.get_context_data(form=PersonLookupForm()))
        form = PersonLookupForm(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        query = self._query(form)
        found = privacy.find_person(user=request.user, **query)
        return self.render_to_response(self.get_context_data(form=form, found=found, searched=True))

    def post(self, request, *args, **kwargs):
        form = PersonLookupForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        query = self._query(form)
        found = privacy.find_person(user=request.user, **query)
        if request.POST.get("action") == "export":
            header, rows = privacy.export_rows(user=request.user, found=found, **query)
            return spreadsheet_download(_xlsx(header, rows), fmt="xlsx", stem="personal-data")
        if request.POST.get("action") == "delete":
            participants, registrations = privacy.delete_person(user=request.user, found=found, **query)
            messages.success(
                request,
                _("已删除（匿名化）%(participants)d 个答题人、%(registrations)d 条报名的个人信息，参与统计不变。")
                % {"participants": participants, "registrations": registrations},
            )
            return redirect(URL_NAME)
        return self.render_to_response(self.get_context_data(form=form, found=found, searched=True))

    @staticmethod
    def _query(form):
        data = form.cleaned_data
        return {"unit": data["unit"], "name": data["name"].strip(), "phone": data["phone"]}


class PersonDataMenuItem(MenuItem):
    def is_shown(self, request):
        return may_manage_personal_data(request.user)


@hooks.register("register_admin_urls")
def personal_data_urls():
    return [path("personal-data/", PersonDataView.as_view(), name=URL_NAME)]


@hooks.register("register_settings_menu_item")
def personal_data_menu_item():
    return PersonDataMenuItem(_("个人信息查询"), reverse(URL_NAME), icon_name="user", order=900)
