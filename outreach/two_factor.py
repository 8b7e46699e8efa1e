"""Two-factor sign-in for staff who can publish or see personal data (django-otp).

Who must verify: with ``STAFF_2FA_REQUIRED`` on (production's default), every signed-in user who
is a superuser, may publish a page, or holds one of ``STAFF_2FA_PERMISSIONS`` (answer sheets,
registrations, participation reports: names, classes and phones), and anyone who has set up an
authenticator of their own accord. Until they have entered a code in this session:

* in the admin every page but sign-out and the two-factor pages sends them to set up an
  authenticator app (TOTP, with 10 recovery codes shown once) or to enter a code;
* elsewhere (the check-in pages, the unit posters) they are treated as signed out.

Recovery codes are django-otp static tokens: each works once. Both devices are throttled by
django-otp after failed attempts.
"""

from functools import partial

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log
from wagtail.models import GroupPagePermission

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "身份验证器"
RECOVERY_DEVICE_NAME = "恢复码"

# Audit log actions (Wagtail's log, on the user): setting up an authenticator, new recovery codes.
ENABLED_ACTION = "outreach.two_factor.enabled"
RECOVERY_CODES_ACTION = "outreach.two_factor.recovery_codes"
RESET_ACTION = "outreach.two_factor.reset"

SETUP_URL_NAME = "outreach_two_factor_setup"
VERIFY_URL_NAME = "outreach_two_factor_verify"
# What an unverified user may still open in the admin.
OPEN_URL_NAMES = {
    SETUP_URL_NAME,
    VERIFY_URL_NAME,
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
}
_CACHE_ATTRIBUTE = "_outreach_requires_two_factor"


def requires_two_factor(user):
    """Whether ``user``'s permissions call for a second factor (whatever the setting says)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, _CACHE_ATTRIBUTE):
        required = (
            user.is_superuser
            or any(user.has_perm(permission) for permission in settings.STAFF_2FA_PERMISSIONS)
            or GroupPagePermission.objects.filter(group__user=user, permission__codename="publish_page").exists()
        )
        setattr(user, _CACHE_ATTRIBUTE, required)
    return getattr(user, _CACHE_ATTRIBUTE)


def has_authenticator(user):
    return user_has_device(user, confirmed=True)


def needs_verification(user):
    """Signed in, bound to two factors (by permission or by choice), and not verified this session."""
    if not settings.STAFF_2FA_REQUIRED or not user.is_authenticated or user.is_verified():
        return False
    return requires_two_factor(user) or has_authenticator(user)


def pending_authenticator(user):
    """The user's unconfirmed authenticator (a new secret when there is none), for the setup page."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_authenticator(device):
    """Make ``device`` the user's only authenticator and return fresh recovery codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    log(instance=device.user, action=ENABLED_ACTION, user=device.user)
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user):
    """Replace the user's recovery codes with ``RECOVERY_CODE_COUNT`` new ones (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        code = StaticToken.random_token()
        device.token_set.create(token=code)
        codes.append(code)
    log(instance=user, action=RECOVERY_CODES_ACTION, user=user)
    return codes


@transaction.atomic
def reset(user):
    """Remove the user's authenticators and recovery codes; returns how many devices went."""
    removed = TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)
    log(instance=user, action=RESET_ACTION)
    return removed


def remaining_recovery_codes(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _admin_redirect(request, url_name):
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


def _user_or_anonymous(user):
    if not needs_verification(user):
        return user
    anonymous = AnonymousUser()
    anonymous.is_verified = lambda: False  # as django-otp's middleware gives every user
    anonymous.otp_device = None
    return anonymous


class StaffTwoFactorMiddleware:
    """Enforces the rule above. Place it after django-otp's ``OTPMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.STAFF_2FA_REQUIRED:
            return self.get_response(request)
        admin_prefix = reverse("wagtailadmin_home")
        if not request.path_info.startswith(admin_prefix):
            request.user = SimpleLazyObject(partial(_user_or_anonymous, request.user))
            return self.get_response(request)
        if needs_verification(request.user):
            try:
                url_name = resolve(request.path_info).url_name
            except Resolver404:
                url_name = None
            if url_name not in OPEN_URL_NAMES:
                target = VERIFY_URL_NAME if has_authenticator(request.user) else SETUP_URL_NAME
                return _admin_redirect(request, target)
        return self.get_response(request)
