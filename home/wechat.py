"""WeChat JS-SDK share configuration, when the site has an official account (公众号).

Inside WeChat's browser, static/js/wechat-share.js asks ``/wechat/js-config/?url=<this page>``
for a signed ``wx.config`` and the page's share card, so a shared link shows its title, summary
and image instead of a grey card. The signature needs a jsapi_ticket, got with an access_token;
WeChat allows each only so many fetches a day, so both are cached for a little less than the
``expires_in`` WeChat gives. The account's JS 接口安全域名 must name this site's host.
"""

import hashlib
import json
import logging
import time
from urllib.error import HTTPError, URLError
from urllib.parse import unquote, urlencode, urlsplit
from urllib.request import urlopen

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_ratelimit.core import is_ratelimited
from wagtail.models import Page, Site

from .models import SiteIdentity
from .seo import share_card

logger = logging.getLogger(__name__)

TOKEN_URL = "https://api.weixin.qq.com/cgi-bin/token"
TICKET_URL = "https://api.weixin.qq.com/cgi-bin/ticket/getticket"
TIMEOUT_SECONDS = 5
MAX_RESPONSE_BYTES = 64 * 1024
# Cached this long less than WeChat says a token or ticket lives (7200 s), so none is used stale.
EXPIRY_MARGIN_SECONDS = 300
# The access_token was replaced or expired: fetch a new one and ask for the ticket again.
STALE_TOKEN_ERRORS = frozenset({40001, 40014, 42001})
MAX_URL_LENGTH = 2000
MAX_PATH_SEGMENTS = 32
# A page asks once per view; more than this from one address is not a reader.
RATE = "60/m"
JS_API_LIST = ["updateAppMessageShareData", "updateTimelineShareData"]


def wechat_configured():
    return bool(settings.WECHAT_APP_ID and settings.WECHAT_APP_SECRET)


class WeChatError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class WeChatRefused(WeChatError):
    def __init__(self, errcode=None):
        super().__init__(502, _("微信接口拒绝了请求，暂时无法设置分享内容。"))
        self.errcode = errcode


def _unreachable():
    return WeChatError(503, _("暂时连不上微信接口，请稍后再试。"))


def _get_json(url, params):
    try:
        with urlopen(f"{url}?{urlencode(params)}", timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_RESPONSE_BYTES)
    except HTTPError as error:
        logger.warning("WeChat API %s answered HTTP %s", url, error.code)
        raise WeChatRefused() from None
    except (URLError, OSError) as error:  # TimeoutError is an OSError
        logger.warning("WeChat API %s unreachable: %s", url, error)
        raise _unreachable() from None
    try:
        data = json.loads(body)
    except ValueError:
        raise WeChatRefused() from None
    if not isinstance(data, dict):
        raise WeChatRefused()
    if data.get("errcode"):
        logger.warning("WeChat API %s refused: %s %s", url, data.get("errcode"), data.get("errmsg"))
        raise WeChatRefused(data.get("errcode"))
    return data


def _value_and_lifetime(data, field):
    value, expires_in = data.get(field), data.get("expires_in")
    if not isinstance(value, str) or not value or type(expires_in) is not int or expires_in <= 0:
        raise WeChatRefused()
    return value, max(expires_in - EXPIRY_MARGIN_SECONDS, expires_in // 2, 1)


def _cache_key(name):
    return f"wechat:{settings.WECHAT_APP_ID}:{name}"


def access_token():
    key = _cache_key("access_token")
    token = cache.get(key)
    if token is None:
        data = _get_json(
            TOKEN_URL,
            {"grant_type": "client_credential", "appid": settings.WECHAT_APP_ID, "secret": settings.WECHAT_APP_SECRET},
        )
        token, lifetime = _value_and_lifetime(data, "access_token")
        cache.set(key, token, lifetime)
    return token


def jsapi_ticket():
    key = _cache_key("jsapi_ticket")
    ticket = cache.get(key)
    if ticket is None:
        try:
            data = _get_json(TICKET_URL, {"access_token": access_token(), "type": "jsapi"})
        except WeChatRefused as error:
            if error.errcode not in STALE_TOKEN_ERRORS:
                raise
            cache.delete(_cache_key("access_token"))
            data = _get_json(TICKET_URL, {"access_token": access_token(), "type": "jsapi"})
        ticket, lifetime = _value_and_lifetime(data, "ticket")
        cache.set(key, ticket, lifetime)
    return ticket


def signature(*, ticket, noncestr, timestamp, url):
    """The JS-SDK config signature (微信 JS-SDK 说明文档, 附录1): SHA-1 of the four fields in
    this order, with the URL as the page has it but without its #fragment."""
    url = url.split("#", 1)[0]
    text = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(text.encode()).hexdigest()


def _page_url(request):
    """The URL to sign, an http(s) URL of this host, else a 400 WeChatError."""
    url = request.GET.get("url", "")
    if not url:
        raise WeChatError(400, _("缺少参数 url。"))
    invalid = WeChatError(400, _("参数 url 应为本站页面的完整地址。"))
    if len(url) > MAX_URL_LENGTH:
        raise invalid
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        raise invalid from None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.get_host().lower():
        raise invalid
    return url.split("#", 1)[0], parts.path


def _nearest_public_page(site, path):
    """The page at ``path`` or, for a page's own route (e.g. an events calendar), the nearest
    public page above it; a private page is passed over so its title never shows."""
    segments = [segment for segment in unquote(path).split("/") if segment]
    if len(segments) > MAX_PATH_SEGMENTS:
        raise WeChatError(400, _("参数 url 应为本站页面的完整地址。"))
    root = site.root_page.url_path
    candidates = [root + "".join(f"{segment}/" for segment in segments[:depth]) for depth in range(len(segments) + 1)]
    return Page.objects.live().public().filter(url_path__in=candidates).order_by("-depth").first()


@require_safe
@never_cache
def js_config(request):
    if not wechat_configured():
        return _error(WeChatError(404, _("本站未开通微信分享。")))
    if is_ratelimited(request, group="home.wechat_js_config", key="ip", rate=RATE, increment=True):
        return _error(WeChatError(429, _("请求太频繁，请稍等一分钟再试。")))
    try:
        url, path = _page_url(request)
        site = Site.find_for_request(request)
        page = _nearest_public_page(site, path) if site is not None else None
        if page is None:
            raise WeChatError(404, _("该地址不是本站的公开页面。"))
        ticket = jsapi_ticket()
    except WeChatError as error:
        return _error(error)
    noncestr, timestamp = get_random_string(16), int(time.time())
    card = share_card(page=page, request=request, identity=SiteIdentity.for_site(site))
    return JsonResponse(
        {
            "appId": settings.WECHAT_APP_ID,
            "timestamp": timestamp,
            "nonceStr": noncestr,
            "signature": signature(ticket=ticket, noncestr=noncestr, timestamp=timestamp, url=url),
            "jsApiList": JS_API_LIST,
            "share": {"title": card["title"], "desc": card["description"], "link": url, "imgUrl": card["image_url"]},
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _error(error):
    return JsonResponse({"error": error.message}, status=error.status, json_dumps_params={"ensure_ascii": False})
