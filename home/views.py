from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from .reading import (
    CONTRASTS,
    READING_COOKIE,
    TEXT_SIZES,
    format_reading_cookie,
    parse_reading_cookie,
)

ONE_YEAR = 365 * 24 * 3600


def set_reading_preferences(request):
    """Toggle large text or high contrast and go back. A plain link, so it works without JavaScript
    and keeps cached pages free of CSRF tokens."""
    text, contrast = parse_reading_cookie(request.COOKIES.get(READING_COOKIE))
    if request.GET.get("text") in TEXT_SIZES:
        text = request.GET["text"]
    if request.GET.get("contrast") in CONTRASTS:
        contrast = request.GET["contrast"]
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(READING_COOKIE, format_reading_cookie(text, contrast), max_age=ONE_YEAR, samesite="Lax")
    return response
