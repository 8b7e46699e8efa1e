"""Admin pages for the spreadsheet files: upload units, upload headcounts, download an export."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core.admin_views import AdminPage, SpreadsheetImportView, spreadsheet_download
from core.forms import ImportFileForm
from core.permissions import can_import, can_see

from . import import_export
from .forms import ExportForm, HeadcountImportForm
from .permissions import headcount_policy, staff_scope_policy, unit_policy
from .scopes import is_scoped


class ImportUnitsView(SpreadsheetImportView):
    page_title = gettext_lazy("导入单位")
    form_class = ImportFileForm
    policy = unit_policy
    columns = import_export.UNIT_COLUMNS
    format_notes = (
        gettext_lazy("类型：市、镇/街道/开发区、社区/村、学校、企业、机关单位、其他；也可以只写“街道”“开发区”“村”等。"),
        gettext_lazy("上级单位：填上级单位的名称或代码，可以出现在本文件靠后的行里；市级单位留空。"),
        gettext_lazy(
            "代码：统一社会信用代码、学校代码或区划代码，没有可留空。已有单位先按代码匹配，"
            "没有代码时按上级单位和名称匹配；留空不会清除已有代码。"
        ),
        gettext_lazy("别名：多个别名用“；”或“|”分隔。"),
        gettext_lazy("启用：填“是”或“否”，留空视为“是”。"),
        gettext_lazy(
            "联系人、联系电话：本单位的联络人及其手机号或带区号的固定电话（例如 0532-12345678），可以留空；"
            "两列都留空时保留已有的联系人。填写联系电话时须同时填写联系人。"
        ),
        gettext_lazy(
            "联络员账号：本单位联络员登录后台的用户名，可以留空，多个用“；”分隔；留空不会取消已有的联络员账号。"
            "账号不存在时会新建，但没有密码，须由管理员在“设置 → 用户”中为它设置密码后才能登录。"
            "账号会加入“联络员”组，只能查看本单位及下级单位的情况。已负责其他单位的账号和超级管理员账号不能填写。"
        ),
    )
    column_notes = {
        "名称": gettext_lazy("单位全称，如“莱西市实验小学”。"),
        "类型": gettext_lazy("市、镇/街道/开发区、社区/村、学校、企业、机关单位、其他。"),
        "上级单位": gettext_lazy("上级单位的名称或代码；市级单位留空。"),
        "启用": gettext_lazy("是或否，留空视为是。"),
        "联络员账号": gettext_lazy("联络员登录后台的用户名，多个用“；”分隔，可留空。"),
    }
    template_stem = "units-template"
    template_url_name = "organizations_units_template"
    export_url_name = "organizations_export"
    listing_url_name = "wagtailsnippets_organizations_unit:list"

    def run_import(self, form, upload):
        return import_export.import_units(
            file=upload,
            filename=upload.name,
            may_assign_liaisons=can_import(staff_scope_policy, self.request.user),
        )


class ImportHeadcountsView(SpreadsheetImportView):
    page_title = gettext_lazy("导入应参与人数")
    form_class = HeadcountImportForm
    policy = headcount_policy
    columns = import_export.HEADCOUNT_COLUMNS
    format_notes = (
        gettext_lazy("单位：单位名称或代码；有重名的单位请填代码。"),
        gettext_lazy(
            "活动：宣传活动的名称，例如“2026年安全生产月”（在“单位 → 宣传活动”中添加）。上方选择了宣传活动时可以留空。"
        ),
        gettext_lazy("对象：学生、职工、居民或机关干部。"),
        gettext_lazy("应参与人数：不小于 0 的整数。"),
    )
    column_notes = {
        "单位": gettext_lazy("单位名称或代码；有重名的单位请填代码。"),
        "活动": gettext_lazy("宣传活动的名称，如“2026年安全生产月”；上传时选择了宣传活动可留空。"),
        "对象": gettext_lazy("学生、职工、居民或机关干部。"),
        "应参与人数": gettext_lazy("不小于 0 的整数。"),
    }
    template_stem = "headcounts-template"
    template_url_name = "organizations_headcounts_template"
    export_url_name = "organizations_export"
    listing_url_name = "wagtailsnippets_organizations_headcount:list"

    def run_import(self, form, upload):
        return import_export.import_headcounts(
            file=upload, filename=upload.name, campaign=form.cleaned_data["campaign"]
        )


class ExportView(AdminPage, TemplateView):
    """A GET form: valid choices download the file, anything else shows the form."""

    template_name = "organizations/admin/export.html"
    page_title = gettext_lazy("导出单位与应参与人数")
    header_icon = "download"

    def get(self, request, *args, **kwargs):
        # The export is the whole tree (with every liaison's phone): city staff only.
        if not can_see(unit_policy, request.user) or is_scoped(request.user):
            raise PermissionDenied
        if not request.GET:
            return self.render_to_response(self.get_context_data(form=ExportForm()))
        form = ExportForm(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        fmt = form.cleaned_data["format"]
        if form.cleaned_data["content"] == ExportForm.HEADCOUNTS:
            if not can_see(headcount_policy, request.user):
                raise PermissionDenied
            campaign = form.cleaned_data["campaign"]
            data = import_export.export_headcounts(campaign=campaign, format=fmt)
            # ASCII, as browsers disagree on non-ASCII file names; the id tells two campaigns of a year apart.
            stem = f"headcounts-{campaign.year}-{campaign.pk}"
        else:
            data = import_export.export_units(format=fmt)
            stem = "units"
        return spreadsheet_download(data, fmt=fmt, stem=stem)
