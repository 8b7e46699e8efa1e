"""Control characters never reach a view: a 400 with the Chinese error page (or JSON), nothing written.

PostgreSQL refuses NUL in any text (DataError, a 500) and SQLite's FTS5 ends a string at it, so
core.middleware.ControlCharacterMiddleware refuses them for every URL, before any query.
"""

import json

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.middleware import refuses
from events.models import Registration
from home.models import Topic

pytestmark = pytest.mark.django_db

MESSAGE = "请求中含有无法识别的控制字符"


def assert_refused(response):
    assert response.status_code == 400
    assert MESSAGE in response.content.decode()
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "a\tb", "a\nb", "\r"])
@pytest.mark.parametrize("path", ["/", "/search/", "/events/", "/participation/"])
def test_control_characters_in_the_query_string_are_a_400(client, path, value):
    assert_refused(client.get(path, {"q": value}))
    assert_refused(client.get(path, {value: "1"}))


def test_nul_in_the_search_query_is_a_400_not_a_500(client):
    # Before: OperationalError "unterminated string" from SQLite FTS5; DataError on PostgreSQL.
    assert_refused(client.get("/search/?q=a%00b"))


@pytest.mark.parametrize("path", ["/a%00b/", "/events/%00/event.ics", "/participation/%01/", "/search%0a/"])
def test_control_characters_in_the_path_are_a_400(client, path):
    assert_refused(client.get(path))


@pytest.mark.parametrize("value", ["a\x00b", "\x08", "\x0b", "\x0c", "\x1f"])
def test_control_characters_in_a_public_form_field_are_a_400_and_nothing_is_written(client, value):
    before = Registration.objects.count()
    assert_refused(client.post("/events/", {"name": f"王芳{value}", "phone": "13800000001"}))
    assert Registration.objects.count() == before


@pytest.mark.parametrize(("value", "saved"), [("a\x00b", "燃气ab安全"), ("\x0b", "燃气安全"), ("\x1f", "燃气安全")])
def test_an_editor_pasting_control_characters_saves_without_them(admin_client, value, saved):
    response = admin_client.post(
        reverse("wagtailsnippets_home_topic:add"), {"name": f"燃气{value}安全", "slug": "ctrl-test", "sort_order": "0"}
    )
    assert response.status_code == 302, response.content.decode()[:300]
    assert Topic.objects.get(slug="ctrl-test").name == saved


def test_the_admin_login_with_a_control_character_is_just_a_failed_sign_in(client):
    response = client.post("/admin/login/", {"username": "admin\x00", "password": "wrong"})
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize("value", ["第一行\r\n第二行", "a\tb", "燃气安全"])
def test_tab_and_line_breaks_in_a_form_field_pass(value):
    request = RequestFactory().post("/x/", {"note": value})
    assert not refuses(request)


@pytest.mark.parametrize("value", ["a b", "²٣", "<script>", "'; drop", "%", "燃气"])
def test_ordinary_query_values_pass(value):
    assert not refuses(RequestFactory().get("/search/", {"q": value}))


def test_multipart_form_fields_are_checked_too():
    request = RequestFactory().post("/x/", {"name": "a\x00b"})  # RequestFactory posts multipart
    assert request.content_type == "multipart/form-data"
    assert refuses(request)


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "a\\u0000b"}',
        '{"name": "\\u001b"}',
        '{"name": "\\ud800"}',
        '{"name": "\\udc00x"}',
        '{"\\u0000": 1}',
    ],
)
def test_json_bodies_with_escaped_control_characters_or_lone_surrogates_are_refused(body):
    request = RequestFactory().post("/x/", data=body, content_type="application/json")
    assert refuses(request)


@pytest.mark.parametrize("body", ['{"name": "\\ud83d\\udd25 安全"}', '{"text": "a\\nb\\tc"}', '{"n": 1}'])
def test_ordinary_json_bodies_pass(body):
    assert json.loads(body) is not None
    assert not refuses(RequestFactory().post("/x/", data=body, content_type="application/json"))


def test_a_json_request_gets_a_json_refusal(client):
    response = client.post("/search/", data='{"q": "\\u0000"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["ok"] is False


def test_a_cookie_holding_control_characters_is_dropped_not_refused(client):
    client.cookies["sessionid"] = "abc\x00def"
    client.cookies["reading"] = "\x01"
    response = client.get("/")
    assert response.status_code == 200
