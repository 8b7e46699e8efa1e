"""Request hygiene that holds for every URL, whatever the view does with its input.

``ControlCharacterMiddleware`` refuses a request whose path, query string or form fields hold
control characters, before they reach a query: PostgreSQL refuses NUL in any text (``DataError``),
SQLite's FTS5 ends a string at it, and nobody types them. In the admin, form fields are cleaned
instead: an editor pasting from Word (a vertical tab) must not lose a whole edit to a 400. ``SecureCookiesMiddleware`` marks every
cookie a response sets as ``Secure`` when the site runs behind HTTPS, whichever app set it.
"""

import re
from http.cookies import Morsel

from django.conf import settings
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .errors import ReaderFacingError
from .responses import error_response

# Any control character (C0, DEL, C1) in the path or the query string: links never carry them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# In a form field a textarea may send tab and line breaks; the other C0 characters never.
_FORM_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A JSON body: a raw C0 character, an escaped one other than \t \n \r, or an escaped surrogate
# that is not half of a pair (json.loads turns it into a string no database can store).
_JSON_CONTROL = re.compile(
    rb"[\x00-\x08\x0b\x0c\x0e-\x1f]"
    rb"|\\u00(?:0[0-8bcefBCEF]|1[0-9a-fA-F])"
    rb"|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ControlCharactersRefused(ReaderFacingError):
    status = 400
    default_message = _("请求中含有无法识别的控制字符，请检查输入的内容后重试。")


def _has_control(querydict, pattern):
    return any(pattern.search(key) or any(pattern.search(v) for v in values) for key, values in querydict.lists())


def _is_json(request):
    content_type = request.content_type or ""
    return content_type == "application/json" or content_type.endswith("+json")


def _is_admin(request):
    return request.path_info.startswith(reverse("wagtailadmin_home"))


def _without_form_control(querydict):
    cleaned = QueryDict(mutable=True, encoding=querydict.encoding)
    for key, values in querydict.lists():
        cleaned.setlist(_FORM_CONTROL.sub("", key), [_FORM_CONTROL.sub("", value) for value in values])
    return cleaned


def clean_admin_form(request):
    """Drop the control characters of an admin form's fields (tab and line breaks stay)."""
    if (
        request.method == "POST"
        and request.content_type in _FORM_TYPES
        and _is_admin(request)
        and _has_control(request.POST, _FORM_CONTROL)
    ):
        request.POST = _without_form_control(request.POST)


def refuses(request):
    """Whether the request carries control characters where none may be."""
    if _CONTROL.search(request.path_info) or _has_control(request.GET, _CONTROL):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    if request.content_type in _FORM_TYPES:
        return _has_control(request.POST, _FORM_CONTROL)
    if _is_json(request):
        return bool(_JSON_CONTROL.search(request.body))
    return False


class ControlCharacterMiddleware:
    """A 400 with the Chinese error page (or JSON) for control characters in a request.

    Cookies holding control characters are dropped rather than refused, so a forged cookie cannot
    reach the session or participant lookups, nor lock its holder out of the site. Place it before
    the session and page cache middleware: its refusal touches neither."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, value in list(request.COOKIES.items()):
            if _CONTROL.search(name) or _CONTROL.search(value):
                del request.COOKIES[name]
        clean_admin_form(request)
        if refuses(request):
            response = error_response(request, ControlCharactersRefused(), back_url="/", back_label=_("返回首页"))
            response["Cache-Control"] = "no-store"
            response["X-Frame-Options"] = "DENY"
            return response.render() if hasattr(response, "render") else response
        return self.get_response(request)


class SecureCookiesMiddleware:
    """With ``SECURE_ALL_COOKIES`` (production), every cookie set on the way out is ``Secure``:
    the session and CSRF cookies have their own settings, this covers the reading mode, the
    participant and join-link cookies and whatever comes next.

    On an embed route (``request.embed``, core.embedding) every cookie is ``SameSite=None; Secure;
    Partitioned`` instead: a browser sends no other kind from a page framed by another site, so a
    participant, or the CSRF token, set inside an outlet's frame would otherwise be lost at the next
    request. Partitioned (CHIPS) keys the cookie to the outlet's site, and Chromium keeps such
    cookies even where it blocks third-party cookies (as its headless build does); it accepts
    ``Secure`` cookies from http://localhost, so this holds in development too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        embedded = getattr(request, "embed", None) is not None
        if embedded or getattr(settings, "SECURE_ALL_COOKIES", False):
            for name, morsel in list(response.cookies.items()):
                morsel["secure"] = True
                if embedded:
                    morsel["samesite"] = "None"
                    response.cookies[name] = partitioned(morsel)
        return response


class PartitionedMorsel(Morsel):
    """A cookie with the ``Partitioned`` attribute, which Python's Morsel learns only in 3.14."""

    def OutputString(self, attrs=None):
        return super().OutputString(attrs) + "; Partitioned"


def partitioned(morsel):
    copy = PartitionedMorsel()
    copy.update(morsel)
    copy.set(morsel.key, morsel.value, morsel.coded_value)
    return copy
