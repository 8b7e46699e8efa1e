"""The documents the public search page finds: one index per kind of page, with the same fields.

Text is indexed with Elasticsearch's built-in ``cjk`` analyzer (overlapping bigrams, full-width
folding). Queries are analysed the same way plus a ``synonym_graph`` filter made from the staff
synonyms (search.synonyms): at search time only, because a synonym is one way (searching 电动车
also finds 电动自行车, not the reverse). The analyzer is part of the index settings, so a synonym
saved in the admin reaches Elasticsearch by a rebuild (search.elastic.indexing.rebuild), which the
"search" queue runs after each change.
"""

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from elasticsearch_dsl import Date, Document, Index, Integer, Keyword, Text, analyzer, token_filter
from wagtail.rich_text import get_text_for_indexing

from ..synonyms import synonym_map

SEARCH_ANALYZER = "cjk_search"
# The stop words of Lucene's CJKAnalyzer, which the built-in ``cjk`` analyzer uses: the search
# analyzer must drop exactly what the index analyzer dropped, or an AND query could never match.
CJK_STOP_WORDS = [
    "a", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no",
    "not", "of", "on", "or", "s", "such", "t", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with", "www",
]  # fmt: skip
# Characters with a meaning in the Solr synonym format.
_RULE_SPECIALS = str.maketrans({char: f"\\{char}" for char in "\\,=>#"})


def synonym_rules(mapping):
    """One explicit rule per staff synonym: the term becomes itself or any of its equivalents."""
    rules = []
    for term, equivalents in sorted(mapping.items()):
        words = [word.translate(_RULE_SPECIALS) for word in (term, *equivalents)]
        rules.append(f"{words[0]} => {', '.join(words)}")
    return rules


def search_analyzer(mapping):
    """The ``cjk`` analyzer's steps, then the staff synonyms (when there are any)."""
    filters = ["cjk_width", "lowercase", "cjk_bigram", token_filter("cjk_stop", type="stop", stopwords=CJK_STOP_WORDS)]
    rules = synonym_rules(mapping)
    if rules:
        # lenient: a rule the analyzer reduces to nothing is skipped instead of failing the index.
        filters.append(token_filter("staff_synonyms", type="synonym_graph", synonyms=rules, lenient=True))
    return analyzer(SEARCH_ANALYZER, tokenizer="standard", filter=filters)


def _text():
    return Text(analyzer="cjk", search_analyzer=SEARCH_ANALYZER)


def _streamfield_text(value):
    return " ".join(str(part) for part in value.stream_block.get_searchable_content(value)) if value else ""


class PageDocument(Document):
    """What a result shows and is filtered by; the subclasses say which pages and where their text is."""

    type = Keyword()
    title = _text()
    summary = _text()
    body = _text()
    # Wagtail's url_path makes the link (Page.get_url_parts) without fetching the page;
    # the tree path puts the page under a site root (prefix), as Page.descendant_of does.
    url_path = Keyword(index=False)
    tree_path = Keyword()
    publish_date = Date()
    year = Integer()

    TYPE = ""
    INDEX = ""
    MODEL = ("", "")

    @classmethod
    def model(cls):
        return apps.get_model(*cls.MODEL)

    @classmethod
    def pages(cls):
        """Every page that belongs in the index: published and without a view restriction."""
        return cls.model().objects.live().public()

    @classmethod
    def from_page(cls, page):
        # The date a result shows, as the database search shows it.
        date = getattr(page, "publish_date", None) or page.last_published_at
        if hasattr(date, "hour"):
            date = timezone.localdate(date)
        return cls(
            meta={"id": page.pk},
            type=cls.TYPE,
            title=page.title,
            summary=cls.summary_of(page),
            body=cls.body_of(page),
            url_path=page.url_path,
            tree_path=page.path,
            publish_date=date,
            year=date.year if date else None,
            **cls.extra_fields(page),
        )

    @classmethod
    def summary_of(cls, page):
        return page.summary

    @classmethod
    def body_of(cls, page):
        return _streamfield_text(page.body)

    @classmethod
    def extra_fields(cls, page):
        return {}


class ArticleDocument(PageDocument):
    topics = Keyword(multi=True)

    TYPE = "article"
    INDEX = "articles"
    MODEL = ("home", "ArticlePage")

    @classmethod
    def pages(cls):
        return super().pages().prefetch_related("topics")

    @classmethod
    def extra_fields(cls, page):
        return {"topics": [topic.slug for topic in page.topics.all()]}


class EventDocument(PageDocument):
    TYPE = "event"
    INDEX = "events"
    MODEL = ("events", "EventPage")

    @classmethod
    def body_of(cls, page):
        return " ".join(
            part for part in (page.venue_name, _streamfield_text(page.body), _streamfield_text(page.report)) if part
        )


class ContestDocument(PageDocument):
    TYPE = "contest"
    INDEX = "contests"
    MODEL = ("quizzes", "ContestPage")

    @classmethod
    def summary_of(cls, page):
        return page.intro

    @classmethod
    def body_of(cls, page):
        return get_text_for_indexing(page.rules)


DOCUMENTS = (ArticleDocument, EventDocument, ContestDocument)
DOCUMENTS_BY_TYPE = {document.TYPE: document for document in DOCUMENTS}


def alias_name(document):
    """The name searches and updates use: an alias of the index the last rebuild made."""
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}{document.INDEX}"


def build_index(document, name=None, *, synonyms=None):
    """The index definition for ``document``: its mapping and the analyzers with today's synonyms."""
    index = Index(name or alias_name(document))
    # One shard: a city's pages are a few hundred thousand at most, and one shard scores them all alike.
    index.settings(number_of_shards=1)
    index.analyzer(search_analyzer(synonym_map() if synonyms is None else synonyms))
    index.document(document)
    return index
