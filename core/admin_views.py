"""Admin pages every spreadsheet import shares: upload a file, list every bad row or import it whole."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import FormView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .permissions import can_import
from .spreadsheets import FORMATS, blank_template

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def requested_format(request):
    """The spreadsheet format a download link asks for (``?format=``, .xlsx by default); else 404."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    return fmt


def spreadsheet_download(data, *, fmt, stem):
    """An attachment named ``<stem>-<today>.<fmt>``."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y%m%d}.{fmt}"'
    return response


class AdminPage(WagtailAdminTemplateMixin):
    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class SpreadsheetImportView(AdminPage, FormView):
    """Upload an .xlsx or .csv file; show every bad row or import it whole. Subclasses set the
    permission policy, the template columns and notes, the URL name of their blank template
    (``template_view``), where the current data downloads (optional) and ``run_import`` (which
    returns an ``ImportResult``)."""

    template_name = "core/admin/import.html"
    header_icon = "upload"
    policy = None
    columns = ()
    format_notes = ()
    column_notes = {}  # {column: hint}, the blank template's header comments
    template_stem = ""
    template_url_name = ""
    export_url_name = ""
    listing_url_name = ""

    @classmethod
    def template_view(cls):
        """The blank template to fill in (.xlsx, or ``?format=csv``), for those who may import."""

        @require_safe
        def download(request):
            if not can_import(cls.policy, request.user):
                raise PermissionDenied
            fmt = requested_format(request)
            data = blank_template(cls.columns, fmt, notes=cls.column_notes)
            return spreadsheet_download(data, fmt=fmt, stem=cls.template_stem)

        return download

    def dispatch(self, request, *args, **kwargs):
        if not can_import(self.policy, request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            columns=self.columns,
            format_notes=self.format_notes,
            template_url=reverse(self.template_url_name),
            export_url=reverse(self.export_url_name) if self.export_url_name else "",
            **kwargs,
        )

    def run_import(self, form, upload):
        raise NotImplementedError

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
