"""Staff sessions end after 2 hours idle (each request renews them); with production's settings
every cookie the site sets is Secure, whichever app sets it."""

import datetime
import html
import re

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PRODUCTION_COOKIES = {"SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True, "SECURE_ALL_COOKIES": True}


def sign_in(client, remember=False):
    data = {"username": "bianji", "password": DEMO_PASSWORD, **({"remember": "on"} if remember else {})}
    assert client.post("/admin/login/", data).status_code == 302


def stored_session(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


@pytest.mark.parametrize("remember", [False, True])
def test_a_staff_session_lasts_two_hours_from_the_last_request(client, remember):
    sign_in(client, remember=remember)
    assert client.session.get_expiry_age() == 7200
    session = stored_session(client)
    session.expire_date = timezone.now() + datetime.timedelta(minutes=5)
    session.save()

    # Any request renews it for two more hours (the idle timeout slides).
    assert client.get("/admin/").status_code == 200
    renewed = stored_session(client).expire_date - timezone.now()
    assert datetime.timedelta(minutes=119) < renewed <= datetime.timedelta(hours=2)


def test_an_idle_session_is_over(client):
    sign_in(client)
    session = stored_session(client)
    session.expire_date = timezone.now() - datetime.timedelta(seconds=1)
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_with_production_settings_every_cookie_is_secure(client, settings):
    for name, value in PRODUCTION_COOKIES.items():
        setattr(settings, name, value)
    # The reading mode cookie (home), set by a plain link.
    response = client.get("/reading-mode/", {"text": "large", "next": "/"})
    assert response.cookies["reading"]["secure"] is True
    # The CSRF and session cookies of the admin sign-in.
    response = client.get("/admin/login/")
    assert response.cookies["csrftoken"]["secure"] is True
    response = client.post("/admin/login/", {"username": "bianji", "password": DEMO_PASSWORD})
    assert response.cookies["sessionid"]["secure"] is True
    assert all(morsel["secure"] for morsel in response.cookies.values())


def test_without_https_settings_cookies_are_left_as_set(client, settings):
    settings.SECURE_ALL_COOKIES = False
    response = client.get("/reading-mode/", {"text": "large", "next": "/"})
    assert response.cookies["reading"]["secure"] == ""


def test_an_editor_left_open_does_not_keep_the_session_alive(client, article):
    sign_in(client)
    session = stored_session(client)
    soon = timezone.now() + datetime.timedelta(minutes=5)
    session.expire_date = soon
    session.save()
    # Wagtail's edit view pings every 10 s while it is open; the ping is not activity.
    edit = client.get(f"/admin/pages/{article.pk}/edit/")
    assert edit.status_code == 200
    ping = re.search(r'data-w-swap-src-value="([^"]+/ping/[^"]+)"', edit.content.decode()).group(1)
    session.expire_date = soon
    session.save()
    assert client.post(html.unescape(ping)).status_code == 200
    assert stored_session(client).expire_date == soon
