from urllib.parse import urlencode

from django import template
from django.urls import reverse
from wagtail.models import Page

from core.embedding import flow_url as embed_flow_url
from core.embedding import is_embeddable

register = template.Library()


@register.simple_tag(takes_context=True)
def oembed_discovery_url(context):
    """The oEmbed URL for the page being shown, when it is a live page of an embeddable type."""
    page, request = context.get("page"), context.get("request")
    if not isinstance(page, Page) or request is None or not page.live or not is_embeddable(page):
        return ""
    if page.get_view_restrictions().exists():  # a private page has no public embed
        return ""
    page_url = request.build_absolute_uri(page.get_url(request))
    return request.build_absolute_uri(reverse("oembed") + "?" + urlencode({"url": page_url, "format": "json"}))


@register.simple_tag(takes_context=True)
def flow_url(context, page, route=None, *args):
    """``{% flow_url page "start" %}``: like ``routablepageurl``, but inside an outlet's frame the
    URL stays in the frame (core.embedding.flow_url). ``{% flow_url page %}`` is the page itself."""
    return embed_flow_url(context["request"], page, route, *args)
