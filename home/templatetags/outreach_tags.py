from django import template
from wagtail.contrib.settings.context_processors import SettingProxy

from core.structured_data import json_ld
from home.models import SiteIdentity
from home.seo import page_metadata, structured_data

register = template.Library()


def _identity(context):
    settings = context.get("settings")
    if isinstance(settings, SettingProxy):
        return settings["home"]["SiteIdentity"]
    return SiteIdentity.for_request(context["request"])


@register.inclusion_tag("includes/page_meta.html", takes_context=True)
def page_meta(context, page, image_url=""):
    request = context["request"]
    identity = _identity(context)
    data = structured_data(page=page, request=request, identity=identity, image_url=image_url)
    return {
        "meta": page_metadata(page=page, request=request, identity=identity),
        "json_ld": json_ld(data),
        "image_url": request.build_absolute_uri(image_url) if image_url else "",
    }
