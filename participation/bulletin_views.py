"""The 通报 in the admin: ``/admin/participation/bulletin/`` (a print-ready A4 page) and
``/admin/participation/bulletin.docx`` (the Word file), for ``?campaign=&from=&to=&unit=`` (and the
dashboard's kind and audience filters). The query string is parsed as the dashboard parses it
(``admin_views.parse_request``), with the same permission and the same refusals. Every .docx
download is written to Wagtail's audit log (action ``participation.bulletin``)."""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter, log
from wagtail.models import Site

from core.errors import ReaderFacingError
from core.replica import reads_from_replica

from . import bulletin as bulletin_content
from .admin_views import QUERY_KEYS, Forbidden, can_view_report, parse_request, render_error, unit_in_scope

LOG_ACTION = "participation.bulletin"


class BulletinLogFormatter(LogFormatter):
    label = gettext_lazy("下载参与情况通报")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("下载了通报（%(scope)s，%(start)s至%(end)s）") % {
            "scope": data.get("scope") or _("全市"),
            "start": data.get("from") or _("活动开始"),
            "end": data.get("to") or _("活动结束"),
        }


def _site(request):
    return Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()


def _load(request):
    """(campaign, unit, filters, bulletin) or an error response."""
    if not can_view_report(request.user):
        return None, render_error(request, Forbidden())
    try:
        campaign, unit, filters = parse_request(request.GET)
        # A scoped account (a liaison) gets its own unit's 通报 and no other.
        unit = unit_in_scope(request.user, unit)
    except ReaderFacingError as error:
        return None, render_error(request, error)
    content = bulletin_content.build_bulletin(
        campaign=campaign, unit=unit, filters=filters, site=_site(request), request=request
    )
    return (campaign, unit, filters, content), None


def _query(request, **changes):
    values = {key: request.GET.get(key, "") for key in QUERY_KEYS}
    values.update(changes)
    return urlencode({key: value for key, value in values.items() if value})


@reads_from_replica
def bulletin_page(request):
    loaded, error = _load(request)
    if error is not None:
        return error
    campaign, unit, filters, content = loaded
    query = _query(request, campaign=str(campaign.pk))
    return TemplateResponse(
        request,
        "participation/bulletin.html",
        {
            "bulletin": content,
            "campaign": campaign,
            "unit": unit,
            "params": {key: request.GET.get(key, "") for key in QUERY_KEYS},
            "docx_url": f"{reverse('participation_bulletin_docx')}?{query}",
            "dashboard_url": f"{reverse('participation_dashboard')}?{query}",
        },
    )


@reads_from_replica
def bulletin_docx(request):
    loaded, error = _load(request)
    if error is not None:
        return error
    campaign, unit, filters, content = loaded
    data = bulletin_content.render_docx(content)
    log(
        instance=campaign,
        action=LOG_ACTION,
        user=request.user,
        data={
            "scope": content.scope_label,
            "unit": unit.pk if unit is not None else None,
            "from": filters.date_from.isoformat() if filters.date_from else "",
            "to": filters.date_to.isoformat() if filters.date_to else "",
            "kind": filters.kind,
            "audience": filters.audience,
        },
    )
    response = HttpResponse(data, content_type=bulletin_content.DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, content.filename)
    response["Cache-Control"] = "private, no-store"
    return response


def urlpatterns():
    return [
        path("participation/bulletin/", bulletin_page, name="participation_bulletin"),
        path("participation/bulletin.docx", bulletin_docx, name="participation_bulletin_docx"),
    ]
