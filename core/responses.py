"""One way to answer a refused request: a Chinese error page (or JSON) with the error's status."""

from django.http import JsonResponse
from django.template.response import TemplateResponse


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "") or request.content_type == "application/json"


def error_response(request, error, *, back_url, back_label, section=""):
    """``error`` is a ``core.errors.ReaderFacingError``; the page offers one way back."""
    if wants_json(request):
        return JsonResponse({"ok": False, "error": str(error.message)}, status=error.status)
    return TemplateResponse(
        request,
        "core/error.html",
        {"message": error.message, "back_url": back_url, "back_label": back_label, "section": section},
        status=error.status,
    )
