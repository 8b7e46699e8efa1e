"""A form the CSRF check refuses gets a Chinese page with a way back, never Django's English 403."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from events.factories import EventIndexPageFactory, EventPageFactory

ENGLISH = ("Forbidden", "CSRF", "verification failed", "Referer", "Origin")


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def event_url(home_page):
    index = EventIndexPageFactory(parent=home_page)
    event = EventPageFactory(parent=index, registration_enabled=True, starts_at=timezone.now() + timedelta(days=3))
    event.save_revision().publish()
    return event.url


def assert_chinese_refusal(response):
    assert response.status_code == 403
    body = response.content.decode()
    assert "表单未能提交" in body and "刷新" in body and "Cookie" in body
    assert '<html lang="zh-CN"' in body
    assert not [word for word in ENGLISH if word in body]
    assert response["Cache-Control"] == "no-store"
    return body


@pytest.mark.parametrize("debug", [False, True])
def test_a_post_without_token_gets_the_chinese_page_even_with_debug(csrf_client, event_url, settings, debug):
    settings.DEBUG = debug
    body = assert_chinese_refusal(csrf_client.post(event_url + "register/", {"name": "张三"}))
    assert '<a href="/">返回首页</a>' in body and ">返回上一页</a>" not in body


def test_the_way_back_is_the_page_the_form_was_on(csrf_client, event_url):
    response = csrf_client.post(event_url + "register/", {"name": "张三"}, HTTP_REFERER=f"http://testserver{event_url}")
    body = assert_chinese_refusal(response)
    assert f'<a href="http://testserver{event_url}">返回上一页</a>' in body


@pytest.mark.parametrize(
    "referer", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "http://testserver.evil/"]
)
def test_a_foreign_referer_is_no_way_back(csrf_client, event_url, referer):
    body = assert_chinese_refusal(csrf_client.post(event_url + "register/", {}, HTTP_REFERER=referer))
    assert "evil" not in body and "javascript" not in body


def test_origin_null_is_refused_in_chinese(csrf_client, event_url):
    """What Chromium sent from a page with ``Referrer-Policy: no-referrer``."""
    csrf_client.get(event_url)
    token = csrf_client.cookies["csrftoken"].value
    response = csrf_client.post(
        event_url + "register/", {"csrfmiddlewaretoken": token, "name": "张三"}, HTTP_ORIGIN="null"
    )
    assert_chinese_refusal(response)


def test_a_json_caller_gets_json(csrf_client):
    response = csrf_client.post("/answer-sheets/x/answer/", "{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["ok"] is False and "表单未能提交" in response.json()["error"]


def test_a_refusal_inside_an_outlets_frame_is_shown_there_with_a_way_out(csrf_client, home_page, settings):
    # A browser that keeps no cookies in a third-party frame loses the CSRF cookie: the refusal
    # must be framable, in the embed chrome, and offer the page in a new window.
    from core.models import MediaOutlet

    index = EventIndexPageFactory(parent=home_page)
    event = EventPageFactory(parent=index, registration_enabled=True, starts_at=timezone.now() + timedelta(days=3))
    outlet = MediaOutlet.objects.create(name="框架媒体", allowed_origins="https://news.example.cn")
    path = f"/embed/outlet/{outlet.pk}/page/{event.pk}/register/"
    response = csrf_client.post(
        path, {"name": "张三"}, HTTP_REFERER=f"http://testserver/embed/outlet/{outlet.pk}/page/{event.pk}/"
    )
    body = assert_chinese_refusal(response)
    assert "X-Frame-Options" not in response
    assert "https://news.example.cn" in response["Content-Security-Policy"]
    assert 'class="embed-view' in body and "site-header" not in body
    assert f'href="http://testserver/embed/outlet/{outlet.pk}/page/{event.pk}/" target="_blank"' in body
