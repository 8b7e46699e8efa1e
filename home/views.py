from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control

from .reading import (
    CONTRASTS,
    READING_COOKIE,
    TEXT_SIZES,
    format_reading_cookie,
    parse_reading_cookie,
)

ONE_YEAR = 365 * 24 * 3600
ONE_DAY = 24 * 3600
# Not for search engines: the admin, one reader's pages (answer sheets, results and certificates,
# registrations and their cancel links, 我的报名, check-in, join links), search results and the
# reading-mode switch. Wildcards because contests and events live under pages editors can rename.
ROBOTS_DISALLOW = [
    "/admin/",
    "/answer-sheets/",
    "/units/join/",
    "/search/",
    "/reading-mode/",
    "/*/identify/",
    "/*/sheet/",
    "/*/register/",
    "/*/registration/",
    "/*/check-in/",
    "/*/mine/",
]


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


@cache_control(public=True, max_age=ONE_DAY)
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Allow: /",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOW),
        # The host the crawler asked for, not the Site record's (which may say localhost).
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@cache_control(public=True, max_age=ONE_DAY)
def favicon(request):
    """Browsers and WeChat ask for /favicon.ico whatever the page says; the file is a static one."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))
