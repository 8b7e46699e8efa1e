"""Issue 9's staff sign-in, walked in Chromium: a 管理员 enrols an authenticator at first sign-in,
keeps the recovery codes, signs in with one later (and cannot use it twice), and five wrong
passwords lock the account out, the right one included, with a Chinese page.

Two-factor is on here as in production (``STAFF_2FA_REQUIRED``). The live server commits what it
writes, so the account is made for this test (in a worker thread: Playwright's loop holds the main
thread, see conftest.py) and deleted afterwards with its devices, lockout records and audit entries.
"""

import base64
import re

import pytest
from django_otp.oath import TOTP

from .test_participation_journey import in_worker_thread, new_page

USERNAME = "walker2fa"
PASSWORD = "browser-walk-2026"


def _create_admin():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from home.services import ADMIN_GROUP

    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD, first_name="测试", last_name="管理员")
    user.groups.add(Group.objects.get(name=ADMIN_GROUP))


def _delete_admin():
    from axes.models import AccessAttempt, AccessFailureLog
    from django.contrib.auth import get_user_model
    from wagtail.models import ModelLogEntry, PageLogEntry

    user = get_user_model().objects.filter(username=USERNAME).first()
    if user is not None:
        ModelLogEntry.objects.filter(user=user).delete()
        PageLogEntry.objects.filter(user=user).delete()
        user.delete()  # and its TOTP and recovery-code devices
    AccessAttempt.objects.filter(username=USERNAME).delete()
    AccessFailureLog.objects.filter(username=USERNAME).delete()


@pytest.fixture
def new_admin(server, settings):
    settings.STAFF_2FA_REQUIRED = True
    in_worker_thread(_delete_admin)
    in_worker_thread(_create_admin)
    yield
    in_worker_thread(_delete_admin)


def authenticator_code(secret):
    """What the phone's authenticator app shows for the secret on the setup page."""
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def sign_in(page, server, password=PASSWORD):
    page.goto(server.url + "/admin/login/")
    page.get_by_label("用户名").fill(USERNAME)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def sign_out(page):
    page.context.clear_cookies()


def test_first_sign_in_enrols_an_authenticator_then_a_recovery_code_works_once(browser, server, new_admin, settings):
    # django-otp waits FACTOR seconds after one wrong code; the default 1 s can pass on a busy machine
    # before the next code is typed and submitted, and the throttle would then never be seen.
    settings.OTP_TOTP_THROTTLE_FACTOR = 4
    context, page = new_page(browser)
    try:
        sign_in(page, server)
        page.wait_for_url("**/admin/two-factor/?next=*")
        assert "必须启用两步验证" in page.content()
        assert page.get_by_alt_text("身份验证器二维码").is_visible()
        secret = page.locator("code[data-secret]").inner_text()

        page.get_by_label("验证码").fill("000000" if authenticator_code(secret) != "000000" else "111111")
        with page.expect_navigation():
            page.get_by_role("button", name="验证并启用").click()
        assert "验证码不正确" in page.content()  # a typo enables nothing

        page.get_by_label("验证码").fill(authenticator_code(secret))
        with page.expect_navigation():
            page.get_by_role("button", name="验证并启用").click()
        assert "秒后再试" in page.content()  # straight after a wrong code: told to wait, not "wrong"
        page.wait_for_timeout(4_100)

        page.get_by_label("验证码").fill(authenticator_code(secret))
        with page.expect_navigation():
            page.get_by_role("button", name="验证并启用").click()
        codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page.content())
        assert len(codes) == 10

        page.goto(server.url + "/admin/")
        assert page.url == server.url + "/admin/"  # verified: the dashboard, no detour

        sign_out(page)
        sign_in(page, server)
        page.wait_for_url("**/admin/two-factor/verify/**")
        page.get_by_label("验证码").fill(codes[0])
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()
        page.wait_for_url(server.url + "/admin/")

        sign_out(page)
        sign_in(page, server)
        page.wait_for_url("**/admin/two-factor/verify/**")
        page.get_by_label("验证码").fill(codes[0])  # used already
        with page.expect_navigation():
            page.get_by_role("button", name="验证").click()
        assert "/admin/two-factor/verify/" in page.url
        page.goto(server.url + "/admin/pages/")
        assert "/admin/two-factor/verify/" in page.url  # nothing else of the admin until verified
    finally:
        context.close()


def test_five_wrong_passwords_lock_the_account_out_in_chinese(browser, server, new_admin):
    context, page = new_page(browser)
    try:
        for _attempt in range(5):
            sign_in(page, server, password="not-the-password")
        assert "登录已暂时锁定" in page.content()
        sign_in(page, server)  # the right password, while locked
        assert "登录已暂时锁定" in page.content() and "/admin/login/" in page.url
    finally:
        context.close()
