"""The admin sign-in: a Chinese form, a lockout after 5 failures per username and address, and
no second login surface at /django-admin/."""

import pytest
from axes.models import AccessAttempt

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"


def sign_in(client, password, username="bianji", address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_the_login_form_labels_are_chinese(client):
    html = client.get(LOGIN).content.decode()
    assert '<label class="w-field__label" for="id_password"' in html
    assert "密码" in html and "用户名" in html
    assert ">Password<" not in html and "Password\n" not in html


def test_five_failures_lock_the_account_for_that_address(client):
    for _attempt in range(4):
        response = sign_in(client, "wrong-password")
        assert response.status_code == 200  # the form again, with its error
    response = sign_in(client, "wrong-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录已暂时锁定" in html and "15 分钟后再试" in html
    assert AccessAttempt.objects.get(username="bianji").failures_since_start == 5

    # While locked out, even the right password is refused and no session starts.
    response = sign_in(client, DEMO_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_lockout_is_per_username_and_address(client):
    for _attempt in range(5):
        sign_in(client, "wrong-password")
    # The same user from another address, and another user from the same address, still sign in.
    assert sign_in(client, DEMO_PASSWORD, address="198.51.100.9").status_code == 302
    client.logout()
    assert sign_in(client, DEMO_PASSWORD, username="shenhe").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, settings):
    for _attempt in range(5):
        sign_in(client, "wrong-password")
    assert sign_in(client, DEMO_PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert sign_in(client, DEMO_PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(client):
    for _attempt in range(4):
        sign_in(client, "wrong-password")
    assert sign_in(client, DEMO_PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        assert sign_in(client, "wrong-password").status_code == 200


def test_the_address_behind_a_proxy_is_the_configured_header(client, settings):
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_REAL_IP"
    for _attempt in range(5):
        client.post(LOGIN, {"username": "bianji", "password": "x"}, HTTP_X_REAL_IP="192.0.2.1")
    assert AccessAttempt.objects.get().ip_address == "192.0.2.1"


@pytest.mark.parametrize("path", ["/django-admin/", "/django-admin/login/", "/django-admin/auth/user/"])
def test_there_is_no_django_admin(client, admin_client, path):
    assert client.get(path).status_code == 404
    assert admin_client.get(path).status_code == 404
