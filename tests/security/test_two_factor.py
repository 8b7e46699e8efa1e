"""Two-factor sign-in for staff who can publish or see personal data (outreach.two_factor).

The rest of the suite runs with STAFF_2FA_REQUIRED off (outreach.settings.test); these tests turn
it on, as production has it.
"""

import io
import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from organizations.models import Unit
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

SETUP = "/admin/two-factor/"
VERIFY = "/admin/two-factor/verify/"
CODE = re.compile(r"<li><code>([a-z0-9]+)</code></li>")


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STAFF_2FA_REQUIRED = True


def sign_in(client, username="admin"):
    response = client.post("/admin/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def code_for(device, steps_ahead=0):
    """The authenticator's code, ``steps_ahead`` periods on (a code is accepted once only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.drift = steps_ahead
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    right = {code_for(device, steps) for steps in (-1, 0, 1, 2)}
    return next(code for code in ("000000", "111111", "222222", "333333", "444444") if code not in right)


def enrol(client):
    """Set up the authenticator through the pages; returns (device, recovery codes)."""
    client.get(SETUP)
    device = TOTPDevice.objects.get(user__username="admin", confirmed=False)
    response = client.post(SETUP, {"code": code_for(device)})
    assert response.status_code == 200
    codes = CODE.findall(response.content.decode())
    device.refresh_from_db()
    return device, codes


def test_a_superuser_without_an_authenticator_is_sent_to_set_one_up(client):
    sign_in(client)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2Fpages%2F"
    html = client.get(SETUP).content.decode()
    assert "必须启用两步验证" in html
    assert 'src="data:image/svg+xml' in html
    assert re.search(r"<code data-secret>[A-Z2-7 ]{32,}</code>", html)


def test_enrol_then_verify_then_access(client):
    sign_in(client)
    device, codes = enrol(client)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user__username="admin").count() == 10
    # Recorded in the audit log, on the user.
    actions = set(ModelLogEntry.objects.filter(user__username="admin").values_list("action", flat=True))
    assert {"outreach.two_factor.enabled", "outreach.two_factor.recovery_codes"} <= actions
    assert client.get("/admin/").status_code == 200

    # A new session needs a code again.
    client.logout()
    sign_in(client)
    response = client.get("/admin/pages/")
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2Fpages%2F"
    response = client.post(f"{VERIFY}?next=/admin/pages/", {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert client.get("/admin/pages/").status_code == 200


def test_the_recovery_codes_are_shown_once(client):
    sign_in(client)
    _device, codes = enrol(client)
    html = client.get(SETUP).content.decode()
    assert "还有 10 个恢复码可用" in html
    assert not any(code in html for code in codes)


def test_a_wrong_code_is_refused_at_set_up(client):
    sign_in(client)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user__username="admin")
    response = client.post(SETUP, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/admin/").status_code == 302


def test_a_wrong_code_is_refused_at_sign_in_and_failures_are_throttled(client):
    sign_in(client)
    device, _codes = enrol(client)
    client.logout()
    sign_in(client)
    response = client.post(VERIFY, {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert client.get("/admin/").status_code == 302
    # Straight after a failure even the right code waits (django-otp's throttling).
    assert client.post(VERIFY, {"code": code_for(device, steps_ahead=1)}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()
    assert client.post(VERIFY, {"code": code_for(device, steps_ahead=1)}).status_code == 302


def test_a_recovery_code_works_once(client):
    sign_in(client)
    _device, codes = enrol(client)
    client.logout()

    sign_in(client)
    response = client.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user__username="admin").count() == 9
    client.logout()

    sign_in(client)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 200 and "验证码不正确或已经用过" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client):
    sign_in(client)
    _device, old_codes = enrol(client)
    response = client.post("/admin/two-factor/recovery-codes/")
    new_codes = CODE.findall(response.content.decode())
    assert len(new_codes) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new_codes)
    assert not set(old_codes) & set(new_codes)


def test_the_password_alone_cannot_replace_the_authenticator(client):
    sign_in(client)
    enrol(client)
    client.logout()
    sign_in(client)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert client.post(SETUP, {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user__username="admin").count() == 1


def test_editors_who_cannot_publish_or_see_personal_data_are_not_asked(client):
    sign_in(client, "bianji")
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("username", ["xuexiao", "admin"])
def test_liaisons_and_superusers_are_asked(client, username):
    # Liaisons see their unit's answer sheets and registrations (names, classes, phones).
    sign_in(client, username)
    assert client.get("/admin/").status_code == 302


def test_a_group_with_publish_permission_is_asked(client):
    from home.services import ADMIN_GROUP

    User = get_user_model()
    user = User.objects.create_user("zhongshen", password=DEMO_PASSWORD)
    user.groups.add(user.groups.model.objects.get(name=ADMIN_GROUP))
    sign_in(client, "zhongshen")
    assert client.get("/admin/").status_code == 302


def test_an_unverified_user_is_signed_out_outside_the_admin(client):
    """Staff pages outside /admin/ (posters, check-in lists) treat the unverified as signed out."""
    unit = Unit.objects.order_by("pk").first()
    sign_in(client)
    response = client.get(f"/units/{unit.pk}/poster/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    # The login page sends a signed-in, unverified user on to the code, and back afterwards.
    login = client.get(response["Location"])
    assert login.status_code == 302 and login["Location"].startswith(SETUP)
    device, _codes = enrol(client)
    assert client.get(f"/units/{unit.pk}/poster/").status_code == 200


def test_sign_out_works_unverified(client):
    sign_in(client)
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_off_means_no_code_is_asked(client, settings):
    settings.STAFF_2FA_REQUIRED = False
    sign_in(client)
    assert client.get("/admin/").status_code == 200


def test_production_requires_two_factor_and_the_test_settings_do_not():
    from outreach.settings import test as test_settings

    assert test_settings.STAFF_2FA_REQUIRED is False
    script = (
        "import outreach.settings.production as s;"
        "print(s.STAFF_2FA_REQUIRED, s.SECURE_ALL_COOKIES, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SESSION_COOKIE_AGE, 'outreach.security.SlidingSessionMiddleware' in s.MIDDLEWARE)"
    )
    env = {"SECRET_KEY": "x" * 60, "PATH": "/usr/bin:/bin"}
    output = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["True", "True", "True", "True", "7200", "True"]


def test_a_lost_authenticator_is_reset_by_command(client):
    from django.core.management import call_command

    sign_in(client)
    enrol(client)
    client.logout()
    output = io.StringIO()
    call_command("reset_two_factor", "admin", stdout=output)
    assert "2 个验证设备" in output.getvalue()
    assert not TOTPDevice.objects.filter(user__username="admin").exists()
    assert not StaticToken.objects.filter(device__user__username="admin").exists()
    assert ModelLogEntry.objects.filter(action="outreach.two_factor.reset").exists()
    sign_in(client)
    assert client.get("/admin/")["Location"].startswith(SETUP)
