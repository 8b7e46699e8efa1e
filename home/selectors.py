"""Reads for the column: pages call these from get_context, views never query directly."""

from django.apps import apps
from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from core.errors import ReaderFacingNotFound

ARTICLES_PER_PAGE = 10


def _models():
    # Resolved lazily: models.py imports this module.
    return apps.get_model("home", "ArticlePage"), apps.get_model("home", "Topic"), apps.get_model("home", "Audience")


def topics():
    return list(_models()[1].objects.all())


def audiences():
    return list(_models()[2].objects.all())


def columns(*, root):
    ColumnIndexPage = apps.get_model("home", "ColumnIndexPage")
    return list(
        ColumnIndexPage.objects.child_of(root).live().public().order_by("is_archived", "-campaign_year", "path")
    )


def latest_articles(*, root, limit):
    ArticlePage = _models()[0]
    return list(ArticlePage.objects.descendant_of(root).for_listing()[:limit])


def _lookup(model, slug, label):
    if not slug:
        return None
    try:
        return model.objects.get(slug=slug)
    except model.DoesNotExist:
        raise ReaderFacingNotFound(_("没有找到%(label)s“%(slug)s”。") % {"label": label, "slug": slug[:40]}) from None


def article_listing(*, column, topic_slug, audience_slug, page_number, per_page=ARTICLES_PER_PAGE):
    """One page of a column's articles, filtered by topic and audience.

    An unknown topic or audience is a 404; a page number that is not a number, or past the end,
    gets the first or last page (``Paginator.get_page``) rather than an error.
    """
    ArticlePage, Topic, Audience = _models()
    topic = _lookup(Topic, topic_slug, _("主题"))
    audience = _lookup(Audience, audience_slug, _("读者对象"))
    articles = ArticlePage.objects.child_of(column).for_listing().with_topic(topic).for_audience(audience)
    page_obj = Paginator(articles, per_page).get_page(page_number)
    return {
        "page_obj": page_obj,
        "articles": page_obj.object_list,
        "topics": topics(),
        "audiences": audiences(),
        "current_topic": topic,
        "current_audience": audience,
    }


def related_articles(*, article, limit):
    """Other live articles sharing a topic, newest first."""
    ArticlePage = _models()[0]
    return list(
        ArticlePage.objects.for_listing()
        .filter(topics__in=article.topics.all())
        .exclude(pk=article.pk)
        .distinct()[:limit]
    )
