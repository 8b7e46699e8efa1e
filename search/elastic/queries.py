"""The request bodies of the public search page (elasticsearch-dsl ``Search`` objects)."""

from elasticsearch_dsl import Q, Search

from .documents import DOCUMENTS, alias_name

SEARCH_FIELDS = ["title^3", "summary", "body"]
# Enough for a result's excerpt: about two lines of Chinese.
EXCERPT_LENGTH = 120
# Bucket sizes: every type; the topics and years a reader can take in at a glance.
FACET_SIZES = {"type": len(DOCUMENTS), "topics": 20, "year": 10}
# Matches are marked with two private-use characters, not HTML: the excerpt is escaped here, in
# one place, and only then are the marks turned into <mark> (search.elastic.selectors).
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_END = "\ue001"
# Elasticsearch refuses to page past this many results (index.max_result_window).
MAX_RESULT_WINDOW = 10_000


def indices():
    return [alias_name(document) for document in DOCUMENTS]


def _base(*, site_root_path):
    return Search(index=indices()).filter("prefix", tree_path=site_root_path)


def _matching(query):
    # cross_fields with "and": every word must be somewhere in the page, the title counting most;
    # the fields share one analyzer, so they are searched as one.
    return Q("multi_match", query=query, fields=SEARCH_FIELDS, type="cross_fields", operator="and")


def _facet(search, name, field, narrowing, **terms):
    """A terms aggregation counted within the filters of the *other* facets, so that each facet
    lists what choosing one of its values would find."""
    search.aggs.bucket(name, "filter", filter=Q("bool", filter=narrowing)).bucket(
        "values", "terms", field=field, size=FACET_SIZES[field], **terms
    )


def results_search(*, query, site_root_path, type_slug="", topic_slug="", start=0, size=10):
    """One page of results for ``query`` under the site root, with facet counts, the shown
    results' excerpts highlighted and spelling suggestions for each word not in the index."""
    type_filter = [Q("term", type=type_slug)] if type_slug else []
    topic_filter = [Q("term", topics=topic_slug)] if topic_slug else []
    search = _base(site_root_path=site_root_path).query(_matching(query))
    if type_filter or topic_filter:
        # A post filter: the facets below count before it is applied.
        search = search.post_filter("bool", filter=type_filter + topic_filter)
    _facet(search, "types", "type", topic_filter)
    _facet(search, "topics", "topics", type_filter)
    _facet(search, "years", "year", type_filter + topic_filter, order={"_key": "desc"})
    search = (
        search.source(["type", "title", "url_path", "publish_date"])
        # Elasticsearch highlights the returned hits only, that is the shown page.
        .highlight_options(pre_tags=[HIGHLIGHT_START], post_tags=[HIGHLIGHT_END], fragment_size=EXCERPT_LENGTH)
        .highlight("summary", number_of_fragments=1, no_match_size=EXCERPT_LENGTH)
        .highlight("body", number_of_fragments=1)
        .suggest("spelling", query, term={"field": "body", "suggest_mode": "missing", "size": 3})
    )
    return search[start : start + size]


def count_searches(*, queries, site_root_path):
    """One count per query (``size=0`` searches, sent together): is a suggestion worth offering?"""
    base = _base(site_root_path=site_root_path).extra(size=0, track_total_hits=True)
    return [base.query(_matching(query)) for query in queries]
