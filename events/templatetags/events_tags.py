"""What the events app shows on other apps' pages."""

from django import template

from events import selectors

register = template.Library()


@register.inclusion_tag("events/includes/home_upcoming_events.html", takes_context=True)
def home_upcoming_events(context, page):
    """The home page's 近期活动: the next three occurrences under ``page`` (the HomePage)."""
    # The request goes along so that {% pageurl %} gives the same links as in the page itself.
    return {"request": context.get("request"), "upcoming_events": selectors.home_upcoming(root=page, limit=3)}
