from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.context_processors import SettingProxy
from wagtail.models import Site

from core.structured_data import json_ld
from home import feeds, selectors
from home.cache import cached_until_pages_change, page_generation
from home.models import SiteIdentity
from home.seo import page_metadata, share_image, structured_data
from home.wechat import wechat_configured

register = template.Library()


def _identity(context):
    settings = context.get("settings")
    if isinstance(settings, SettingProxy):
        return settings["home"]["SiteIdentity"]
    return SiteIdentity.for_request(context["request"])


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, page):
    """The <head> tags of a page. Its card image is its cover or the generated one (home.seo)."""
    request = context["request"]
    identity = _identity(context)
    image = share_image(page=page, identity=identity)
    data = structured_data(page=page, request=request, identity=identity, image_url=image.url)
    return {
        "meta": page_metadata(page=page, request=request, identity=identity),
        "json_ld": json_ld(data),
        "image": image,
        "image_url": request.build_absolute_uri(image.url),
        "feeds": feeds.discovery_links(page=page, request=request, site_name=identity.site_name),
        "wechat_js_sdk_url": settings.WECHAT_JS_SDK_URL if wechat_configured() else "",
    }


SECTION_LABELS = {"columns": _("专栏"), "events": _("活动"), "contests": _("答题"), "search": _("搜索")}


@register.inclusion_tag("includes/site_nav.html", takes_context=True)
def site_nav(context):
    """专栏、活动、答题、搜索, with ``aria-current`` on the section the reader is in."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    sections = []
    if site is not None:
        sections = cached_until_pages_change(
            f"nav:{site.pk}", lambda: selectors.site_sections(root=site.root_page, site=site)
        )
    search_url = reverse("search")
    sections = [*sections, selectors.Section(key="search", url=search_url, paths=(search_url,))]
    path = request.path if request is not None else ""
    items = []
    for section in sections:
        current = ""
        if path == section.url:
            current = "page"
        elif any(path.startswith(prefix) for prefix in section.paths):
            current = "true"
        items.append({"label": SECTION_LABELS[section.key], "url": section.url, "current": current})
    return {"items": items}


@register.simple_tag(takes_context=True)
def site_fragment_key(context):
    """What a ``{% cache %}`` fragment shared by every page varies on: the site, the language and
    the page cache's generation, so publishing or saving 网站信息 renders it anew (home.signals)."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    return f"{page_generation()}:{site.pk if site else ''}:{get_language()}"
