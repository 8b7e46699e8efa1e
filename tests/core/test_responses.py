"""One error page for every refusal: the status, the Chinese message and a way back."""

import json

from django.test import RequestFactory

from core.errors import ReaderFacingError
from core.responses import error_response
from core.structured_data import absolute_url, json_ld


class Closed(ReaderFacingError):
    status = 409
    default_message = "本场活动当前不接受报名。"


def test_a_page_request_gets_the_message_and_a_way_back(db):
    request = RequestFactory().post("/events/x/register/")
    response = error_response(request, Closed(), back_url="/events/x/", back_label="返回活动页面").render()
    assert response.status_code == 409
    html = response.content.decode()
    assert "本场活动当前不接受报名。" in html
    assert '<a href="/events/x/">返回活动页面</a>' in html
    assert '<meta name="robots" content="noindex">' in html


def test_a_json_request_gets_json():
    request = RequestFactory().post("/x/", data="{}", content_type="application/json")
    response = error_response(request, Closed("名额已满。"), back_url="/", back_label="返回")
    assert response.status_code == 409
    assert json.loads(response.content) == {"ok": False, "error": "名额已满。"}


def test_json_ld_cannot_close_its_script_element():
    rendered = json_ld({"name": "</script><script>alert(1)</script>&"})
    assert "</script>" not in rendered and "&" not in rendered.replace("\\u0026", "")
    assert json.loads(rendered) == {"name": "</script><script>alert(1)</script>&"}


def test_absolute_urls_use_the_request_host(settings):
    settings.ALLOWED_HOSTS = ["aq.example.cn"]
    request = RequestFactory().get("/", HTTP_HOST="aq.example.cn")
    assert absolute_url(request, "/events/x/") == "http://aq.example.cn/events/x/"
    assert absolute_url(request, "https://cdn.example.cn/a.png") == "https://cdn.example.cn/a.png"
    assert absolute_url(None, "/events/x/") == "/events/x/"
    assert absolute_url(request, "") == ""
