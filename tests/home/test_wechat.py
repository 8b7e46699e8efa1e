"""The WeChat JS-SDK share configuration: the signature, the token and ticket WeChat hands out
(its API replaced by a fake urlopen: no test reaches the network), the js-config endpoint, and
the JS-SDK script and CSP host only when an official account is configured."""

import hashlib
import io
import json
import runpy
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from wagtail.models import PageViewRestriction

from home import wechat
from home.factories import ArticlePageFactory, ColumnIndexPageFactory

pytestmark = pytest.mark.django_db

APP_ID = "wx-test-app-id"
SECRET = "wx-test-secret"
TICKET = "test-jsapi-ticket"
CONFIG_URL = "/wechat/js-config/"
GOOD_TICKET_ANSWER = {"errcode": 0, "errmsg": "ok", "ticket": TICKET, "expires_in": 7200}


class FakeWeChat:
    """Answers urlopen like WeChat's token and ticket endpoints; records what was asked."""

    def __init__(self):
        self.calls = []
        self.tokens = iter(["token-1", "token-2", "token-3"])
        self.ticket_answers = []
        self.failure = None

    def __call__(self, url, timeout=None):
        assert timeout, "every call to WeChat needs a timeout"
        parts = urlsplit(url)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        self.calls.append((parts.path, query))
        if self.failure is not None:
            raise self.failure
        if parts.path == "/cgi-bin/token":
            assert query == {"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET}
            return io.BytesIO(json.dumps({"access_token": next(self.tokens), "expires_in": 7200}).encode())
        assert parts.path == "/cgi-bin/ticket/getticket" and query["type"] == "jsapi"
        answer = self.ticket_answers.pop(0) if self.ticket_answers else GOOD_TICKET_ANSWER
        return io.BytesIO(json.dumps(answer).encode())

    def paths(self):
        return [path for path, _ in self.calls]


@pytest.fixture
def fake_wechat(monkeypatch):
    fake = FakeWeChat()
    monkeypatch.setattr(wechat, "urlopen", fake)
    return fake


@pytest.fixture
def configured(settings):
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_APP_SECRET = SECRET


@pytest.fixture
def article(home_page):
    column = ColumnIndexPageFactory(parent=home_page, title="微信分享测试专栏")
    return ArticlePageFactory(parent=column, title="微信分享测试：防汛应急演练", summary="演练现场的摘要。")


def _config(client, url):
    return client.get(CONFIG_URL, {"url": url})


def test_signature_matches_wechats_published_example():
    # 微信 JS-SDK 说明文档, 附录1-JS-SDK使用权限签名算法.
    assert (
        wechat.signature(
            ticket="sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg",
            noncestr="Wm3WZYTPz0wzccnW",
            timestamp=1414587457,
            url="http://mp.weixin.qq.com?params=value",
        )
        == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
    )


def test_signature_leaves_out_the_fragment():
    kwargs = {"ticket": TICKET, "noncestr": "abc", "timestamp": 1}
    assert wechat.signature(url="http://testserver/a/?x=1#top", **kwargs) == wechat.signature(
        url="http://testserver/a/?x=1", **kwargs
    )


@pytest.mark.usefixtures("configured")
def test_token_and_ticket_are_fetched_once_and_cached(fake_wechat):
    assert wechat.jsapi_ticket() == TICKET
    assert wechat.jsapi_ticket() == TICKET
    assert fake_wechat.paths() == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"]
    assert fake_wechat.calls[1][1]["access_token"] == "token-1"


@pytest.mark.usefixtures("configured")
def test_a_replaced_access_token_is_fetched_again_once(fake_wechat):
    wechat.access_token()  # token-1 cached; another server has since replaced it
    fake_wechat.ticket_answers = [{"errcode": 40001, "errmsg": "invalid credential"}]
    assert wechat.jsapi_ticket() == TICKET
    assert fake_wechat.paths() == [
        "/cgi-bin/token",
        "/cgi-bin/ticket/getticket",
        "/cgi-bin/token",
        "/cgi-bin/ticket/getticket",
    ]
    assert fake_wechat.calls[-1][1]["access_token"] == "token-2"


@pytest.mark.usefixtures("configured")
def test_the_config_signs_the_page_url_and_carries_its_share_card(client, fake_wechat, article):
    url = f"http://testserver{article.url}?from=singlemessage#comments"
    response = _config(client, url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["appId"] == APP_ID
    expected = hashlib.sha1(
        f"jsapi_ticket={TICKET}&noncestr={data['nonceStr']}&timestamp={data['timestamp']}"
        f"&url=http://testserver{article.url}?from=singlemessage".encode()
    ).hexdigest()
    assert data["signature"] == expected
    assert set(data["jsApiList"]) == {"updateAppMessageShareData", "updateTimelineShareData"}
    share = data["share"]
    assert share["title"] == "微信分享测试：防汛应急演练"
    assert share["desc"] == "演练现场的摘要。"
    assert share["link"] == f"http://testserver{article.url}?from=singlemessage"
    assert share["imgUrl"].startswith(f"http://testserver/share/{article.pk}.png?v=")
    # A second reader's config uses the cached ticket.
    assert _config(client, url).status_code == 200
    assert fake_wechat.paths() == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"]


@pytest.mark.usefixtures("configured", "fake_wechat")
def test_a_route_of_a_page_shares_that_page_and_a_private_page_shares_its_public_parent(client, article):
    assert _config(client, f"http://testserver{article.url}print/").json()["share"]["title"] == article.title
    private = ArticlePageFactory(parent=article.get_parent(), title="微信分享测试：内部通知")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    response = _config(client, f"http://testserver{private.url}")
    assert response.status_code == 200
    assert "内部通知" not in response.content.decode()
    assert response.json()["share"]["title"] == "微信分享测试专栏"


def test_without_an_official_account_there_is_no_config(client, fake_wechat, article):
    response = _config(client, f"http://testserver{article.url}")
    assert response.status_code == 404
    assert response.json()["error"] == "本站未开通微信分享。"
    assert fake_wechat.calls == []


@pytest.mark.usefixtures("configured")
@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://evil.example/",
        "http://testserver.evil.example/",
        "//testserver/",
        "/relative/path/",
        "javascript:alert(1)",
        "http://[::1",
        "http://testserver/" + "a/" * 1000,
        "http://testserver/" + "a/" * 40,
    ],
)
def test_urls_not_of_this_site_are_a_400_in_chinese(client, fake_wechat, url):
    response = _config(client, url)
    assert response.status_code == 400
    assert response.json()["error"] in ("缺少参数 url。", "参数 url 应为本站页面的完整地址。")
    assert fake_wechat.calls == []


@pytest.mark.usefixtures("configured")
@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (URLError("timed out"), 503),
        (TimeoutError(), 503),
        (HTTPError("https://api.weixin.qq.com/", 500, "error", {}, None), 502),
    ],
)
def test_wechat_unreachable_or_failing_is_a_5xx_in_chinese_never_a_500(client, fake_wechat, article, failure, status):
    fake_wechat.failure = failure
    response = _config(client, f"http://testserver{article.url}")
    assert response.status_code == status
    assert "微信接口" in response.json()["error"]


@pytest.mark.usefixtures("configured")
@pytest.mark.parametrize(
    "answer",
    [{"errcode": 40164, "errmsg": "invalid ip"}, {"errcode": 0}, {"errcode": 0, "ticket": "t", "expires_in": "7200"}],
)
def test_a_refusal_or_a_malformed_ticket_is_a_502(client, fake_wechat, article, answer):
    fake_wechat.ticket_answers = [answer]
    response = _config(client, f"http://testserver{article.url}")
    assert response.status_code == 502
    assert response.json()["error"] == "微信接口拒绝了请求，暂时无法设置分享内容。"


@pytest.mark.usefixtures("configured", "fake_wechat")
def test_the_config_is_rate_limited(client, article):
    url = f"http://testserver{article.url}"
    statuses = [_config(client, url).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    assert "太频繁" in _config(client, url).json()["error"]


@pytest.mark.usefixtures("configured")
def test_with_an_official_account_pages_load_the_js_sdk_and_the_share_script(client, article):
    html = client.get(article.url).content.decode()
    assert f'<script src="{django_settings.WECHAT_JS_SDK_URL}" defer></script>' in html
    assert 'src="/static/js/wechat-share.js" data-config-url="/wechat/js-config/"' in html


def test_without_an_official_account_no_page_mentions_wechats_host(client, article):
    response = client.get(article.url)
    assert "res.wx.qq.com" not in response.content.decode()
    assert "res.wx.qq.com" not in response["Content-Security-Policy"]


def _settings_module(monkeypatch, **environ):
    for name in ("WECHAT_APP_ID", "WECHAT_APP_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(Path(django_settings.BASE_DIR) / "outreach" / "settings" / "base.py"))


def test_the_csp_admits_the_js_sdk_host_only_with_both_settings(monkeypatch):
    """The settings module decides the CSP once, at start-up; this runs it afresh with each
    environment (override_settings cannot reach a policy already built)."""

    def script_src(**environ):
        return _settings_module(monkeypatch, **environ)["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["script-src"]

    assert script_src() == ["'self'"]
    assert script_src(WECHAT_APP_ID=APP_ID) == ["'self'"]
    assert script_src(WECHAT_APP_SECRET=SECRET) == ["'self'"]
    assert script_src(WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=SECRET) == ["'self'", "https://res.wx.qq.com"]
    assert urlsplit(django_settings.WECHAT_JS_SDK_URL).netloc == "res.wx.qq.com"


def test_the_policy_built_with_an_official_account_reaches_the_page_header(client, monkeypatch, article):
    """django-csp reads CONTENT_SECURITY_POLICY per response, so the policy the settings module
    builds with both settings is the header pages get."""
    policy = _settings_module(monkeypatch, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=SECRET)["CONTENT_SECURITY_POLICY"]
    with override_settings(CONTENT_SECURITY_POLICY=policy, WECHAT_APP_ID=APP_ID, WECHAT_APP_SECRET=SECRET):
        header = client.get(article.url)["Content-Security-Policy"]
    assert "script-src 'self' https://res.wx.qq.com" in header
