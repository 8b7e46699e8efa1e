"""The join link in each unit's QR code, and the printable poster that carries it."""

import io
import re

import pytest
import segno
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse

from organizations.factories import UnitFactory
from organizations.join_links import JOIN_COOKIE, joined_unit_id
from organizations.selectors import active_unit

pytestmark = pytest.mark.django_db

THIRTY_DAYS = 30 * 24 * 3600


def request_with_cookies(cookies):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies)
    return request


def join_cookie_unit(request):
    return active_unit(pk=joined_unit_id(request))


def test_join_link_sets_a_signed_cookie_and_goes_on(client, school, column):
    response = client.get(school.get_join_url(), {"next": column.url})
    assert response.status_code == 302
    assert response["Location"] == column.url
    cookie = response.cookies[JOIN_COOKIE]
    assert cookie.value != str(school.pk)  # signed, not the bare key
    assert cookie["max-age"] == THIRTY_DAYS
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"]
    assert join_cookie_unit(request_with_cookies({JOIN_COOKIE: cookie.value})) == school


@pytest.mark.parametrize("next_url", [None, "https://evil.example.com/", "//evil.example.com/x"])
def test_join_link_never_leaves_the_site(client, school, next_url):
    response = client.get(school.get_join_url(), {"next": next_url} if next_url else {})
    assert response["Location"] == reverse("quizzes:joined")  # the unit's open contest


@pytest.mark.parametrize("token", ["not-a-real-token-at-all0", "x"])
def test_unknown_token_is_a_chinese_404(client, token):
    response = client.get(f"/units/join/{token}/")
    assert response.status_code == 404
    assert "这个单位二维码无效或已停用，请向所在单位索取新的二维码。" in response.content.decode()
    assert JOIN_COOKIE not in response.cookies


def test_inactive_unit_token_is_a_404(client, town):
    closed = UnitFactory(kind="school", name="测试停办小学", parent=town, is_active=False)
    assert client.get(closed.get_join_url()).status_code == 404


def test_cookie_is_ignored_when_tampered_with_or_the_unit_is_closed(client, school, town):
    signed = client.get(school.get_join_url()).cookies[JOIN_COOKIE].value
    value, signature = signed.split(":", 1)
    other = UnitFactory(kind="school", name="测试第二小学", parent=town)
    assert join_cookie_unit(request_with_cookies({})) is None
    assert join_cookie_unit(request_with_cookies({JOIN_COOKIE: str(school.pk)})) is None
    assert join_cookie_unit(request_with_cookies({JOIN_COOKIE: f"{other.pk}:{signature}"})) is None
    assert join_cookie_unit(request_with_cookies({JOIN_COOKIE: signed + "x"})) is None

    school.is_active = False
    school.save()
    assert join_cookie_unit(request_with_cookies({JOIN_COOKIE: signed})) is None


def test_join_response_is_never_page_cached(client, school):
    client.get(school.get_join_url())
    response = client.get(school.get_join_url())
    assert "X-Page-Cache" not in response


# Poster ---------------------------------------------------------------------------------------


def test_poster_needs_a_login(client, school):
    response = client.get(f"/units/{school.pk}/poster/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    assert client.get(f"/units/{school.pk}/poster.svg").status_code == 302


def test_poster_needs_permission_to_see_units(client, school):
    user = get_user_model().objects.create_user("liaison", password="x" * 12)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(f"/units/{school.pk}/poster/").status_code == 403
    assert client.get(f"/units/{school.pk}/poster.svg").status_code == 403

    group = Group.objects.create(name="单位查看")
    group.permissions.add(Permission.objects.get(codename="view_unit"))
    user.groups.add(group)
    assert client.get(f"/units/{school.pk}/poster/").status_code == 200


def test_poster_is_a_self_contained_printable_page(admin_client, school):
    response = admin_client.get(f"/units/{school.pk}/poster/")
    assert response.status_code == 200
    html = response.content.decode()
    join_url = f"http://testserver/units/join/{school.join_token}/"
    assert '<h1 class="poster-unit">测试市实验小学</h1>' in html
    assert "扫码参加安全知识答卷" in html
    assert re.search(r"<svg [^>]*class=\"poster-qr\"", html)
    assert join_url in html
    assert "<script" not in html
    # Nothing from another host: the only external reference is our own stylesheet.
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["/static/organizations/poster.css"]


def test_poster_qr_can_lead_on_to_a_page_of_this_site(admin_client, school):
    html = admin_client.get(f"/units/{school.pk}/poster/", {"next": "/contests/2026/"}).content.decode()
    assert f"http://testserver/units/join/{school.join_token}/?next=%2Fcontests%2F2026%2F" in html
    html = admin_client.get(f"/units/{school.pk}/poster/", {"next": "https://evil.example.com/"}).content.decode()
    assert "evil" not in html


def test_poster_marks_an_inactive_unit(admin_client, school):
    school.is_active = False
    school.save()
    assert "该单位已停用，扫码会提示二维码无效。" in admin_client.get(f"/units/{school.pk}/poster/").content.decode()


def test_poster_svg_encodes_the_join_url(admin_client, school):
    response = admin_client.get(f"/units/{school.pk}/poster.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    join_url = f"http://testserver/units/join/{school.join_token}/"
    expected = io.BytesIO()
    segno.make(join_url, error="m").save(expected, kind="svg", scale=10, border=4, title=join_url, lineclass=None)
    assert response.content == expected.getvalue()
    assert response.content.startswith(b"<?xml") and b'xmlns="http://www.w3.org/2000/svg"' in response.content


def test_poster_of_an_unknown_unit_is_a_404(admin_client):
    assert admin_client.get("/units/999999/poster/").status_code == 404
