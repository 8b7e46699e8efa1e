"""Views every app shares: the page for a form the CSRF check refused (``CSRF_FAILURE_VIEW``)."""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import embedding
from .responses import wants_json


def _way_back(request):
    """The page the form was on, when the browser said and it is this site's; else the home page."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


def _frame_context(request):
    """Inside an outlet's frame (an embed path: the view never ran, so no ``request.embed``), the
    page has the embed chrome, whose footer opens the page it came from in a new tab."""
    if not embedding.is_embed_path(request.path_info):
        return {"in_frame": False}
    return {"in_frame": True, "base_template": embedding.EMBED_BASE_TEMPLATE, "full_page_url": _way_back(request)}


def csrf_failure(request, reason=""):
    """A 403 in Chinese instead of Django's English page (shown even with DEBUG). ``reason`` is
    Django's English diagnosis: it is logged by the CSRF middleware and never shown here."""
    message = _("表单未能提交：页面打开的时间太久，或浏览器禁用了 Cookie。请返回上一页，刷新后重新填写提交。")
    if wants_json(request):
        response = JsonResponse({"ok": False, "error": message}, status=403)
    else:
        response = render(
            request,
            "core/csrf_failure.html",
            {"message": message, "back_url": _way_back(request), **_frame_context(request)},
            status=403,
        )
    if embedding.is_embed_path(request.path_info):
        # Inside an outlet's frame: say so there, with a way out (the browser may block the
        # frame's cookies, which is the usual cause).
        embedding.make_frameable(response)
    response["Cache-Control"] = "no-store"
    return response
