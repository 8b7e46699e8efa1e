"""Admin pages for the spreadsheet files: upload units, upload headcounts, download an export."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from core.admin_views import AdminPage, SpreadsheetImportView, spreadsheet_download
from core.forms import ImportFileForm
from core.permissions import can_see

from . import import_export
from .forms import ExportForm, HeadcountImportForm
from .permissions import headcount_policy, unit_policy


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
    )
    listing_url_name = "wagtailsnippets_organizations_unit:list"
    template_download_url_name = "organizations_export"

    def run_import(self, form, upload):
        return import_export.import_units(file=upload, filename=upload.name)


class ImportHeadcountsView(SpreadsheetImportView):
    page_title = gettext_lazy("导入应参与人数")
    form_class = HeadcountImportForm
    policy = headcount_policy
    columns = import_export.HEADCOUNT_COLUMNS
    format_notes = (
        gettext_lazy("单位：单位名称或代码；有重名的单位请填代码。"),
        gettext_lazy("年份：四位数字，例如 2026。上方填写了年份时可以留空。"),
        gettext_lazy("对象：学生、职工或居民。"),
        gettext_lazy("应参与人数：不小于 0 的整数。"),
    )
    listing_url_name = "wagtailsnippets_organizations_headcount:list"
    template_download_url_name = "organizations_export"

    def run_import(self, form, upload):
        return import_export.import_headcounts(
            file=upload, filename=upload.name, campaign_year=form.cleaned_data["campaign_year"]
        )


class ExportView(AdminPage, TemplateView):
    """A GET form: valid choices download the file, anything else shows the form."""

    template_name = "organizations/admin/export.html"
    page_title = gettext_lazy("导出单位与应参与人数")
    header_icon = "download"

    def get(self, request, *args, **kwargs):
        if not can_see(unit_policy, request.user):
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
            year = form.cleaned_data["campaign_year"]
            data = import_export.export_headcounts(campaign_year=year, format=fmt)
            stem = f"headcounts-{year}"
        else:
            data = import_export.export_units(format=fmt)
            stem = "units"
        return spreadsheet_download(data, fmt=fmt, stem=stem)
