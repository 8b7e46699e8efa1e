"""What the contests app shows on other apps' pages."""

from django import template

from quizzes import selectors

register = template.Library()


@register.inclusion_tag("quizzes/includes/home_open_contests.html", takes_context=True)
def home_open_contests(context, page):
    """The home page's 安全知识答卷: the contests open now under ``page`` (the HomePage)."""
    # The request goes along so that {% pageurl %} gives the same links as in the page itself.
    return {"request": context.get("request"), "open_contests": selectors.open_contests(root=page)}
