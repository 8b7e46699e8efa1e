"""Reads for the public search page from our Elasticsearch documents: no database query per result."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.paginator import Paginator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from elasticsearch_dsl import MultiSearch
from wagtail.models import Page

from core.errors import ReaderFacingNotFound

from ..selectors import MAX_SUGGESTION_SEARCHES, MAX_SUGGESTIONS, RESULTS_PER_PAGE, SEARCH_TYPES, Suggestion
from .client import get_client
from .documents import DOCUMENTS_BY_TYPE
from .queries import HIGHLIGHT_END, HIGHLIGHT_START, MAX_RESULT_WINDOW, count_searches, results_search


@dataclass
class ElasticHit:
    # Built from the indexed fields, not fetched: enough for {% pageurl %} and the title.
    page: Page
    type_label: str
    date: datetime.date | None
    excerpt: str


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class ElasticResults:
    page_obj: object
    facets: dict = field(default_factory=dict)
    suggestions: list = field(default_factory=list)


def search_types():
    """The types a reader can filter by here: those with documents."""
    return [(slug, label) for slug, (_app, _model, label) in SEARCH_TYPES.items() if slug in DOCUMENTS_BY_TYPE]


def _marked(fragment):
    """A highlighted fragment as HTML: its text escaped, the matches in <mark>."""
    text = escape(fragment)
    return mark_safe(text.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_END, "</mark>"))


def _excerpt(hit):
    highlight = getattr(hit.meta, "highlight", None)
    summary = list(getattr(highlight, "summary", [])) if highlight else []
    body = list(getattr(highlight, "body", [])) if highlight else []
    marked = [fragment for fragment in summary + body if HIGHLIGHT_START in fragment]
    return _marked((marked or summary or [""])[0])


def _hit(hit):
    document = DOCUMENTS_BY_TYPE[hit.type]
    date = getattr(hit, "publish_date", None)
    return ElasticHit(
        page=Page(id=int(hit.meta.id), title=hit.title, url_path=hit.url_path),
        type_label=document.model()._meta.verbose_name,
        date=datetime.date.fromisoformat(date) if date else None,
        excerpt=_excerpt(hit),
    )


class _Results:
    """What the paginator slices: the requested page is searched first (its total is the count);
    another page is searched only if the paginator asks for it (a number past the end)."""

    def __init__(self, search_page):
        self._search_page = search_page
        self._responses = {}

    def response(self, start):
        if start not in self._responses:
            self._responses[start] = self._search_page(start)
        return self._responses[start]

    def first(self):
        return next(iter(self._responses.values()))

    def count(self):
        return min(self.first().hits.total.value, MAX_RESULT_WINDOW)

    def __getitem__(self, key):
        return [_hit(hit) for hit in self.response(key.start or 0).hits]


def _buckets(response, name):
    return getattr(response.aggregations, name).values.buckets


def _facets(response, *, type_slug, topic_slug):
    Topic = apps.get_model("home", "Topic")
    topic_buckets = _buckets(response, "topics")
    topic_names = dict(Topic.objects.filter(slug__in=[b.key for b in topic_buckets]).values_list("slug", "name"))
    type_labels = dict(search_types())
    return {
        "type": [
            FacetValue(b.key, str(type_labels[b.key]), b.doc_count, b.key == type_slug)
            for b in _buckets(response, "types")
            if b.key in type_labels
        ],
        "topic": [
            FacetValue(b.key, topic_names[b.key], b.doc_count, b.key == topic_slug)
            for b in topic_buckets
            if b.key in topic_names
        ],
        "year": [FacetValue(str(b.key), str(b.key), b.doc_count) for b in _buckets(response, "years")],
    }


def _corrections(query, response):
    """The query with one misspelt word replaced by what the index has instead, best first."""
    candidates = []
    for entry in response.to_dict().get("suggest", {}).get("spelling", []):
        for option in entry["options"]:
            end = entry["offset"] + entry["length"]
            candidate = query[: entry["offset"]] + option["text"] + query[end:]
            if candidate != query and candidate not in candidates:
                candidates.append(candidate)
    return candidates[:MAX_SUGGESTION_SEARCHES]


def _suggestions(query, response, *, site_root_path, client):
    candidates = _corrections(query, response)
    if not candidates:
        return []
    counts = MultiSearch().using(client)
    for search in count_searches(queries=candidates, site_root_path=site_root_path):
        counts = counts.add(search)
    suggestions = [
        Suggestion(query=candidate, count=result.hits.total.value)
        for candidate, result in zip(candidates, counts.execute(), strict=True)
        if result.hits.total.value
    ]
    return suggestions[:MAX_SUGGESTIONS]


def _start(page_number, per_page):
    try:
        number = max(int(page_number), 1)
    except (TypeError, ValueError):
        number = 1
    return min((number - 1) * per_page, MAX_RESULT_WINDOW - per_page)


def search_documents(*, query, site_root, type_slug="", topic_slug="", page_number=1, per_page=RESULTS_PER_PAGE):
    """One page of results under ``site_root``, the facet counts and, when nothing is found,
    corrected queries that do find something. An unknown type or topic is a 404."""
    if type_slug and type_slug not in DOCUMENTS_BY_TYPE:
        raise ReaderFacingNotFound(_("没有这种内容类型。"))
    if topic_slug and not apps.get_model("home", "Topic").objects.filter(slug=topic_slug).exists():
        raise ReaderFacingNotFound(_("没有找到这个主题。"))
    client = get_client()

    def search_page(start):
        search = results_search(
            query=query,
            site_root_path=site_root.path,
            type_slug=type_slug,
            topic_slug=topic_slug,
            start=start,
            size=per_page,
        )
        return search.using(client).execute()

    results = _Results(search_page)
    results.response(_start(page_number, per_page))
    page_obj = Paginator(results, per_page).get_page(page_number)
    first = results.first()
    suggestions = []
    if not page_obj.paginator.count:
        suggestions = _suggestions(query, first, site_root_path=site_root.path, client=client)
    return ElasticResults(
        page_obj=page_obj,
        facets=_facets(first, type_slug=type_slug, topic_slug=topic_slug),
        suggestions=suggestions,
    )
