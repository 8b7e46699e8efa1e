"""Reads for the column: pages call these from get_context, views never query directly."""

from dataclasses import dataclass

from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext as _

from core.errors import ReaderFacingNotFound

from .cache import cached_until_pages_change

ARTICLES_PER_PAGE = 10


def _models():
    # Resolved lazily: models.py imports this module.
    return apps.get_model("home", "ArticlePage"), apps.get_model("home", "Topic"), apps.get_model("home", "Audience")


def public_q():
    """Pages outside every private section, as one subquery: Wagtail's ``public()`` runs a query of
    its own for the view restrictions each time it is called. A page is private when a restricted
    page's path is a prefix of its own (the page itself or an ancestor). Written as ``pk NOT IN
    (…)`` rather than ``NOT EXISTS``: search querysets take only lookups modelsearch can check
    (a negated expression is refused)."""
    Page = apps.get_model("wagtailcore", "Page")
    PageViewRestriction = apps.get_model("wagtailcore", "PageViewRestriction")
    restricted = PageViewRestriction.objects.filter(page__path=Substr(OuterRef("path"), 1, Length("page__path")))
    return ~Q(pk__in=Page.objects.filter(Exists(restricted)).values("pk"))


# Topics, audiences and columns change rarely and every page type lists them: cached until a page,
# topic or audience changes (home.signals bumps the generation).
def topics():
    return cached_until_pages_change("topics", lambda: list(_models()[1].objects.all()))


def audiences():
    return cached_until_pages_change("audiences", lambda: list(_models()[2].objects.all()))


def columns(*, root):
    ColumnIndexPage = apps.get_model("home", "ColumnIndexPage")
    return cached_until_pages_change(
        f"columns:{root.pk}",
        lambda: list(
            ColumnIndexPage.objects.child_of(root)
            .live()
            .filter(public_q())
            .order_by("is_archived", "-campaign_year", "path")
        ),
    )


def latest_articles(*, root, limit):
    ArticlePage = _models()[0]
    return list(ArticlePage.objects.descendant_of(root).for_listing()[:limit])


def _lookup(choices, slug, label):
    if not slug:
        return None
    for choice in choices:
        if choice.slug == slug:
            return choice
    raise ReaderFacingNotFound(_("没有找到%(label)s“%(slug)s”。") % {"label": label, "slug": slug[:40]})


def article_listing(*, column, topic_slug, audience_slug, page_number, per_page=ARTICLES_PER_PAGE):
    """One page of a column's articles, filtered by topic and audience.

    An unknown topic or audience is a 404; a page number that is not a number, or past the end,
    gets the first or last page (``Paginator.get_page``) rather than an error.
    """
    ArticlePage = _models()[0]
    all_topics, all_audiences = topics(), audiences()
    topic = _lookup(all_topics, topic_slug, _("主题"))
    audience = _lookup(all_audiences, audience_slug, _("读者对象"))
    articles = ArticlePage.objects.child_of(column).for_listing().with_topic(topic).for_audience(audience)
    page_obj = Paginator(articles, per_page).get_page(page_number)
    return {
        "page_obj": page_obj,
        "articles": page_obj.object_list,
        "topics": all_topics,
        "audiences": all_audiences,
        "current_topic": topic,
        "current_audience": audience,
    }


def related_articles(*, article, limit):
    """Other live articles sharing a topic, newest first (title and date are all they show)."""
    ArticlePage = _models()[0]
    return list(
        ArticlePage.objects.live()
        .public()
        .filter(topics__in=[topic.pk for topic in article.topics.all()])
        .exclude(pk=article.pk)
        .order_by("-publish_date", "-pk")
        .distinct()[:limit]
    )


def adjacent_articles(*, article):
    """The articles either side of ``article`` in its column's listing, which is newest first:
    ``(newer, older)``, i.e. 上一篇 and 下一篇; None at either end."""
    ArticlePage = _models()[0]
    siblings = ArticlePage.objects.sibling_of(article, inclusive=False).live().public()
    date, pk = article.publish_date, article.pk
    newer = (
        siblings.filter(Q(publish_date__gt=date) | Q(publish_date=date, pk__gt=pk))
        .order_by("publish_date", "pk")
        .first()
    )
    older = (
        siblings.filter(Q(publish_date__lt=date) | Q(publish_date=date, pk__lt=pk))
        .order_by("-publish_date", "-pk")
        .first()
    )
    return newer, older


@dataclass(frozen=True)
class Section:
    """One entry of the site navigation: where it links and which paths belong to it."""

    key: str
    url: str
    paths: tuple


# The home page's children the navigation links to, by page type, in menu order. The contest and
# event page types are named, not imported: home sits below those apps.
SECTION_PAGE_TYPES = (("columns", "columnindexpage"), ("events", "eventindexpage"), ("contests", "contestindexpage"))


def site_sections(*, root, site):
    """The navigation's sections under ``root``: 专栏 links to the newest column that is not
    archived (every column counts as the section), 活动 and 答题 to the event and contest lists.
    A section whose page is missing, unpublished or private is left out."""
    children = list(root.get_children().live().filter(public_q()).select_related("content_type").order_by("path"))
    sections = []
    for key, model_name in SECTION_PAGE_TYPES:
        pages = [page for page in children if page.content_type.model == model_name]
        if not pages:
            continue
        target = columns(root=root)[0] if key == "columns" else pages[0]
        urls = [page.get_url(current_site=site) for page in pages]
        sections.append(
            Section(key=key, url=target.get_url(current_site=site), paths=tuple(url for url in urls if url))
        )
    return [section for section in sections if section.url]
