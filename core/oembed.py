"""An oEmbed 1.0 provider (https://oembed.com) for this site's embeddable pages.

``/oembed/?url=<a page of this site>&format=json[&maxwidth=&maxheight=]`` answers a ``rich``
object whose ``html`` is the same snippet the admin's 嵌入代码 page shows."""

from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Site

from . import embedding
from .parsing import parse_positive_int

MAX_URL_LENGTH = 2000
MAX_DIMENSION = 10000
CACHE_AGE = 3600


class OEmbedError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _dimension(request, name):
    value = request.GET.get(name)
    if value is None:
        return None
    number = parse_positive_int(value, maximum=MAX_DIMENSION)
    if number is None:
        raise OEmbedError(400, _("参数 %(name)s 应为 1 到 %(max)d 之间的整数。") % {"name": name, "max": MAX_DIMENSION})
    return number


def resolve_page(request, url):
    """The embeddable live page at ``url`` on the host this request came to, else OEmbedError 404."""
    not_found = OEmbedError(404, _("该地址不是本站可嵌入的页面。"))
    if len(url) > MAX_URL_LENGTH:
        raise not_found
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced "[" in the host
        raise not_found from None
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != request.get_host().lower():
        raise not_found
    site = Site.find_for_request(request)
    if site is None:
        raise not_found
    path = unquote(parts.path or "/")
    if not path.endswith("/"):
        path += "/"
    page = embedding.embeddable_pages().filter(url_path=site.root_page.url_path + path.lstrip("/")).first()
    if page is None:
        raise not_found
    return page.specific


def oembed_payload(request, page, *, maxwidth=None, maxheight=None):
    width = min(embedding.DEFAULT_WIDTH, maxwidth or embedding.DEFAULT_WIDTH)
    height = min(embedding.DEFAULT_HEIGHT, maxheight or embedding.DEFAULT_HEIGHT)
    base_url = f"{request.scheme}://{request.get_host()}"
    return {
        "type": "rich",
        "version": "1.0",
        "title": page.title,
        "provider_name": settings.WAGTAIL_SITE_NAME,
        "provider_url": base_url + "/",
        "cache_age": CACHE_AGE,
        "html": str(embedding.embed_snippet(page, base_url=base_url, width=width, height=height)),
        "width": width,
        "height": height,
    }


@require_safe
def oembed(request):
    try:
        fmt = request.GET.get("format", "json")
        if fmt != "json":
            raise OEmbedError(501, _("只提供 JSON 格式（format=json）。"))
        url = request.GET.get("url", "")
        if not url:
            raise OEmbedError(400, _("缺少参数 url。"))
        maxwidth, maxheight = _dimension(request, "maxwidth"), _dimension(request, "maxheight")
        page = resolve_page(request, url)
    except OEmbedError as error:
        return JsonResponse({"error": error.message}, status=error.status, json_dumps_params={"ensure_ascii": False})
    payload = oembed_payload(request, page, maxwidth=maxwidth, maxheight=maxheight)
    return JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
