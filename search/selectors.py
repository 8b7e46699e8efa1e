"""Reads for the site search page."""

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Page, Site
from wagtail.models.sites import get_site_for_hostname

from core.errors import ReaderFacingNotFound

from .chinese import overlap_units, split_words
from .highlight import highlight
from .synonyms import synonym_map

RESULTS_PER_PAGE = 10
# A query that finds nothing gets at most this many suggestions, out of at most this many searches.
MAX_SUGGESTIONS = 3
MAX_SUGGESTION_SEARCHES = 6

# Result types a reader can filter by: slug -> (app label, model name, label).
SEARCH_TYPES = {
    "article": ("home", "ArticlePage", gettext_lazy("专栏文章")),
    "column": ("home", "ColumnIndexPage", gettext_lazy("专栏")),
    "contest": ("quizzes", "ContestPage", gettext_lazy("安全知识答卷")),
    "event": ("events", "EventPage", gettext_lazy("活动")),
}


@dataclass
class SearchHit:
    page: Page
    type_label: str
    date: object
    excerpt: str


def clean_query(raw):
    """The query to search for and whether it had to be shortened."""
    query = " ".join((raw or "").split())
    limit = settings.SEARCH_QUERY_MAX_LENGTH
    return query[:limit], len(query) > limit


def _excerpt_source(page):
    summary = getattr(page, "summary", "") or getattr(page, "intro", "") or page.search_description
    body = getattr(page, "body", None)
    body_text = " ".join(str(part) for part in body.stream_block.get_searchable_content(body)) if body else ""
    return f"{summary} {body_text}"


def _hit(page, query):
    return SearchHit(
        page=page,
        type_label=page._meta.verbose_name,
        date=getattr(page, "publish_date", None) or page.last_published_at,
        excerpt=highlight(_excerpt_source(page), query),
    )


def site_root(*, hostname, port) -> Page | None:
    """The root page of the site serving ``hostname:port`` (or the default site), as Wagtail routes it."""
    try:
        return get_site_for_hostname(hostname, port).root_page
    except Site.DoesNotExist:
        return None


def search_site(*, query, site_root, type_slug="", topic_slug="", page_number=1, per_page=RESULTS_PER_PAGE):
    """One page of live, public pages under ``site_root`` matching ``query``.

    An unknown type or topic is a 404. Results are fetched as specific pages in one query per page type.
    """
    ArticlePage = apps.get_model("home", "ArticlePage")
    Topic = apps.get_model("home", "Topic")
    if type_slug and type_slug not in SEARCH_TYPES:
        raise ReaderFacingNotFound(_("没有这种内容类型。"))
    topic = None
    if topic_slug:
        topic = Topic.objects.filter(slug=topic_slug).first()
        if topic is None:
            raise ReaderFacingNotFound(_("没有找到这个主题。"))

    model = apps.get_model(*SEARCH_TYPES[type_slug][:2]) if type_slug else Page
    if topic is not None:
        model = ArticlePage
    pages = model.objects.live().public().descendant_of(site_root)
    if topic is not None:
        pages = pages.filter(id__in=ArticlePage.objects.filter(topics=topic).values("id"))

    page_obj = Paginator(pages.search(query), per_page).get_page(page_number)
    ids = [page.pk for page in page_obj.object_list]
    specific = Page.objects.filter(pk__in=ids).specific().in_bulk()
    page_obj.object_list = [_hit(specific[pk], query) for pk in ids if pk in specific]
    return page_obj


@dataclass
class Suggestion:
    query: str
    count: int


def suggest_queries(*, query, site_root):
    """Searches that do find something under ``site_root``, for a ``query`` that found nothing.

    Tried in order: each word of a query of several words on its own (all of them had to match),
    then the topic names and synonym words sharing the most with the query (two adjacent Chinese
    characters, or a Latin or digit word: one character in common is too little). Each is
    only offered if it has results, with how many.
    """
    words = list(dict.fromkeys(split_words(query)))
    candidates = words if len(words) > 1 else []
    wanted = overlap_units(query)
    Topic = apps.get_model("home", "Topic")
    vocabulary = {topic.name for topic in Topic.objects.all()}
    for term, equivalents in synonym_map().items():
        vocabulary.update((term, *equivalents))
    related = [(len(wanted & overlap_units(word)), word) for word in vocabulary]
    related = [(shared, word) for shared, word in related if shared]
    candidates += [word for _shared, word in sorted(related, key=lambda pair: (-pair[0], len(pair[1]), pair[1]))]

    pages = Page.objects.live().public().descendant_of(site_root)
    suggestions = []
    tried = set()
    for candidate in candidates:
        if len(suggestions) == MAX_SUGGESTIONS or len(tried) == MAX_SUGGESTION_SEARCHES:
            break
        if candidate in tried or candidate == query:
            continue
        tried.add(candidate)
        count = pages.search(candidate).count()
        if count:
            suggestions.append(Suggestion(query=candidate, count=count))
    return suggestions
