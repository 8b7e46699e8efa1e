import math
from base64 import b32encode

import segno
from django import forms
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from core.errors import ReaderFacingNotFound

from . import two_factor


def page_not_found(request, exception):
    """Show our own Chinese explanation (unknown topic, …); never Django's internal message."""
    message = str(exception) if isinstance(exception, ReaderFacingNotFound) else ""
    return render(request, "404.html", {"message": message}, status=404)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": "", "spellcheck": "false"}),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def _next_url(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return reverse("wagtailadmin_home")


def _recovery_codes_page(request, codes):
    response = TemplateResponse(
        request,
        "outreach/two_factor/recovery_codes.html",
        {"page_title": _("恢复码"), "header_icon": "key", "codes": codes, "next": _next_url(request)},
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def two_factor_setup(request):
    """Set up (or replace) the authenticator app: a QR code, the secret typed by hand, one code."""
    user = request.user
    enrolled = two_factor.has_authenticator(user)
    if enrolled and not user.is_verified():
        # Replacing the authenticator needs the current one: the password alone is not enough.
        return redirect(f"{reverse(two_factor.VERIFY_URL_NAME)}?{urlencode({'next': _next_url(request)})}")
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, throttle = device.verify_is_allowed()
        if not allowed:
            # django-otp waits longer after each wrong code; say so rather than "wrong code".
            seconds = max(
                1, math.ceil(((throttle or {}).get("locked_until", timezone.now()) - timezone.now()).total_seconds())
            )
            form.add_error("code", _("验证码输错次数较多，请 %(seconds)s 秒后再试。") % {"seconds": seconds})
        elif device.verify_token(form.cleaned_data["code"]):
            codes = two_factor.confirm_authenticator(device)
            otp_login(request, device)
            return _recovery_codes_page(request, codes)
        else:
            form.add_error("code", _("验证码不正确。请输入身份验证器里当前显示的 6 位数字（每 30 秒更新）。"))
    secret = b32encode(device.bin_key).decode()
    return TemplateResponse(
        request,
        "outreach/two_factor/setup.html",
        {
            "page_title": _("两步验证"),
            "header_icon": "key",
            "form": form,
            "enrolled": enrolled,
            "required": two_factor.requires_two_factor(user),
            "recovery_codes_left": two_factor.remaining_recovery_codes(user),
            "qr_code": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request),
        },
    )


@never_cache
def two_factor_verify(request):
    """Enter a code from the authenticator app, or one of the recovery codes (each works once)."""
    user = request.user
    if not two_factor.has_authenticator(user):
        return redirect(f"{reverse(two_factor.SETUP_URL_NAME)}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("code", _("验证码不正确或已经用过。多次输错后需要稍等片刻才能再试。"))
    return TemplateResponse(
        request,
        "outreach/two_factor/verify.html",
        {"page_title": _("两步验证"), "header_icon": "key", "form": form, "next": _next_url(request)},
    )


@never_cache
@require_POST
def two_factor_recovery_codes(request):
    """New recovery codes (the old ones stop working); only once the user has verified."""
    if not two_factor.has_authenticator(request.user) or not request.user.is_verified():
        return redirect(reverse(two_factor.SETUP_URL_NAME))
    return _recovery_codes_page(request, two_factor.new_recovery_codes(request.user))
