"""Admin pages for the spreadsheet files: upload units, upload headcounts, download an export."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from . import services
from .forms import ExportForm, HeadcountImportForm, ImportFileForm
from .permissions import can_import, can_see, headcount_policy, unit_policy

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_download(data, *, fmt, stem):
    """An attachment named ``<stem>-<today>.<fmt>``."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y%m%d}.{fmt}"'
    return response


class _AdminPage(WagtailAdminTemplateMixin):
    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class SpreadsheetImportView(_AdminPage, FormView):
    """Upload an .xlsx or .csv file; show every bad row or import it whole. Subclasses set the
    policy, the template columns and notes, and ``run_import``."""

    template_name = "organizations/admin/import.html"
    header_icon = "upload"
    policy = None
    columns = ()
    format_notes = ()
    listing_url_name = ""

    def dispatch(self, request, *args, **kwargs):
        if not can_import(self.policy, request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(columns=self.columns, format_notes=self.format_notes, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        result = self.run_import(form, upload)
        if not result.ok:
            return self.render_to_response(self.get_context_data(form=form, import_errors=result.errors))
        messages.success(
            self.request,
            _("“%(file)s”导入完成：新增 %(created)s 条，更新 %(updated)s 条，%(unchanged)s 条没有变化。")
            % {
                "file": upload.name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return redirect(self.listing_url_name)


class ImportUnitsView(SpreadsheetImportView):
    page_title = gettext_lazy("导入单位")
    form_class = ImportFileForm
    policy = unit_policy
    columns = services.UNIT_COLUMNS
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

    def run_import(self, form, upload):
        return services.import_units(file=upload, filename=upload.name)


class ImportHeadcountsView(SpreadsheetImportView):
    page_title = gettext_lazy("导入应参与人数")
    form_class = HeadcountImportForm
    policy = headcount_policy
    columns = services.HEADCOUNT_COLUMNS
    format_notes = (
        gettext_lazy("单位：单位名称或代码；有重名的单位请填代码。"),
        gettext_lazy("年份：四位数字，例如 2026。上方填写了年份时可以留空。"),
        gettext_lazy("对象：学生、职工或居民。"),
        gettext_lazy("应参与人数：不小于 0 的整数。"),
    )
    listing_url_name = "wagtailsnippets_organizations_headcount:list"

    def run_import(self, form, upload):
        return services.import_headcounts(
            file=upload, filename=upload.name, campaign_year=form.cleaned_data["campaign_year"]
        )


class ExportView(_AdminPage, TemplateView):
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
            data = services.export_headcounts(campaign_year=year, format=fmt)
            stem = f"headcounts-{year}"
        else:
            data = services.export_units(format=fmt)
            stem = "units"
        return spreadsheet_download(data, fmt=fmt, stem=stem)
