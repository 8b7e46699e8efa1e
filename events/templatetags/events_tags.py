"""What the events app shows on other apps' pages, and its date labels."""

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from events import selectors

register = template.Library()


@register.inclusion_tag("events/includes/home_upcoming_events.html", takes_context=True)
def home_upcoming_events(context, page):
    """The home page's 近期活动: the next three occurrences under ``page`` (the HomePage)."""
    # The request goes along so that {% pageurl %} gives the same links as in the page itself.
    return {"request": context.get("request"), "upcoming_events": selectors.home_upcoming(root=page, limit=3)}


@register.filter
def leaving_frame(embed):
    """``{{ embed|leaving_frame }}`` on a link out of the event's flow: in an outlet's frame it
    opens in a new tab (the site's own pages refuse to be framed); on the site, nothing."""
    return mark_safe(' target="_blank" rel="noopener"') if embed else ""


@register.filter
def day_label(value, weekday=""):
    """A local day as people write it: 6月16日 this year, 2025年6月16日 in any other; with
    ``"weekday"``, （星期二） after it."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    pattern = _("n月j日") if value.year == timezone.localdate().year else _("Y年n月j日")
    if weekday:
        pattern += _("（l）")
    return date_format(value, pattern)
