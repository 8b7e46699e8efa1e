"""Staff sign-in: the Chinese login form, the lockout after failed logins (django-axes) and the
client address both the lockout and the rate limits count by.

Two-factor verification for staff is in ``outreach.two_factor``.
"""

from axes.backends import AxesStandaloneBackend
from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    """Wagtail's login form redeclares ``password`` without a label, so Django shows "Password"."""

    password = forms.CharField(
        label=_("密码"),
        strip=False,
        # Wagtail's own placeholder text, which its catalogue translates (输入密码).
        widget=forms.PasswordInput(
            attrs={"placeholder": WagtailLoginForm.base_fields["password"].widget.attrs["placeholder"]}
        ),
    )

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")


def client_ip(request):
    """The reader's address as the rate limits see it (``RATELIMIT_IP_META_KEY`` behind a proxy)."""
    value = request.META.get(settings.RATELIMIT_IP_META_KEY) or request.META.get("REMOTE_ADDR") or ""
    return value.split(",")[0].strip() or None


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come with a request (the admin login).

    ``authenticate()`` without a request (``Client.login`` in tests, management commands) has no
    address to count and is not reachable from the web, so it is passed on to the next backend
    instead of raising as the upstream backend does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The Chinese page for a locked-out sign-in (429), shown instead of the login form."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    return render(request, "outreach/lockout.html", context, status=429)


# Requests an open admin page makes by itself (Wagtail's editing-session ping, every 10 s): they
# are not activity, or an editor left open would never time out.
BACKGROUND_REQUESTS = {("wagtailadmin_editing_sessions", "ping"), ("wagtailadmin_editing_sessions", "release")}


class SlidingSessionMiddleware:
    """The idle timeout: each request of a signed-in user renews the session for another
    ``SESSION_COOKIE_AGE`` (2 hours), so it ends 2 hours after the last one. Place it after the
    session and authentication middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        background = match is not None and (match.namespace, match.url_name) in BACKGROUND_REQUESTS
        if not background and request.user.is_authenticated:
            request.session.modified = True
        return response
