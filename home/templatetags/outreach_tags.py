import json

from django import template
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe
from wagtail.contrib.settings.context_processors import SettingProxy

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
    # Escape <, > and & so the JSON cannot close the script element early.
    json_ld = json.dumps(data, ensure_ascii=False).translate(_json_script_escapes)
    return {
        "meta": page_metadata(page=page, request=request, identity=identity),
        "json_ld": mark_safe(json_ld),
        "image_url": request.build_absolute_uri(image_url) if image_url else "",
    }
