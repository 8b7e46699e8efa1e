"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 of a column's, or the whole site's, live articles.

RSS and Atom come from Django's syndication framework; JSON Feed is plain JSON built from the
same entries. Every URL is made absolute with the host the reader used (the Site record may name
localhost). GUIDs are ``urn:uuid:`` URIs of the page's translation key, which Wagtail never
changes, so a renamed slug, a republication or a second hostname does not make readers see an
article twice.
"""

import datetime
import mimetypes
import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.syndication.views import Feed
from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.utils import feedgenerator, timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from wagtail.models import Site

from core.structured_data import absolute_url

from . import selectors

FEED_ITEMS = 20
FEED_MAX_AGE = 600
# The og:image rendition of the article page, so the feed reuses a rendition that already exists.
COVER_RENDITION = "fill-1200x630"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
# kind -> (media type for <link rel="alternate">, label in the link title)
FEED_KINDS = {
    "rss": ("application/rss+xml", "RSS"),
    "atom": ("application/atom+xml", "Atom"),
    "json": ("application/feed+json", "JSON Feed"),
}

_LOCAL_URL_ATTR = re.compile(r'(\s(?:href|src|poster)=")(/(?!/)[^"]*)"')
_SRCSET_ATTR = re.compile(r'(\ssrcset=")([^"]*)"')


@dataclass(frozen=True)
class Cover:
    url: str
    length: int
    mime_type: str


@dataclass(frozen=True)
class Entry:
    guid: str
    url: str
    title: str
    summary: str
    content_html: str  # "" unless the site outputs full text
    published: datetime.datetime
    updated: datetime.datetime
    author: str
    tags: list
    cover: Cover | None


@dataclass(frozen=True)
class Channel:
    title: str
    description: str
    home_page_url: str
    feed_url: str
    author: str
    entries: list


def _column_model():
    # Resolved lazily: models.py imports this module.
    return apps.get_model("home", "ColumnIndexPage")


def feed_url(request, page, kind):
    return absolute_url(request, page.get_url(request=request) + page.reverse_subpage(f"{kind}_feed"))


def absolute_html(html, request):
    """Rendered body HTML with root-relative links, images and videos made absolute: a feed
    reader shows it on another host."""
    origin = request.build_absolute_uri("/").rstrip("/")

    def srcset(match):
        candidates = [candidate.strip() for candidate in match.group(2).split(",")]
        fixed = [origin + c if c.startswith("/") and not c.startswith("//") else c for c in candidates]
        return f'{match.group(1)}{", ".join(fixed)}"'

    html = _LOCAL_URL_ATTR.sub(lambda m: f'{m.group(1)}{origin}{m.group(2)}"', html)
    return _SRCSET_ATTR.sub(srcset, html)


def _cover(article, request):
    if not article.cover_image:
        return None
    try:
        rendition = article.cover_image.get_rendition(COVER_RENDITION)
        length = rendition.file.size
    except OSError:
        # A missing image file costs the item its enclosure, not the whole feed.
        return None
    mime_type = mimetypes.guess_type(rendition.file.name)[0] or "application/octet-stream"
    return Cover(url=absolute_url(request, rendition.url), length=length, mime_type=mime_type)


def _published(article):
    """When the article appeared: its publication time if that falls on its 发布日期, otherwise
    the start of that day (an editor may set the date apart from the time it went live)."""
    first = article.first_published_at
    if first and timezone.localdate(first) == article.publish_date:
        return first
    return datetime.datetime.combine(article.publish_date, datetime.time.min, tzinfo=timezone.get_default_timezone())


def _entry(article, *, request, full_text):
    published = _published(article)
    updated = max(published, article.last_published_at or published)
    content_html = ""
    if full_text:
        content_html = absolute_html(article.body.render_as_block(context={"request": request}), request)
    return Entry(
        guid=f"urn:uuid:{article.translation_key}",
        url=absolute_url(request, article.get_url(request=request)),
        title=article.title,
        summary=article.summary,
        content_html=content_html,
        published=published,
        updated=updated,
        author=article.author or article.editor,
        tags=[topic.name for topic in article.topics.all()],
        cover=_cover(article, request),
    )


def build_channel(request, *, page, kind):
    """The ``kind`` feed of the live articles below ``page``: a column, or the home page for the
    whole site."""
    identity = apps.get_model("home", "SiteIdentity").for_request(request)
    if isinstance(page, _column_model()):
        title = _("%(column)s - %(site)s") % {"column": page.title, "site": identity.site_name}
        description = page.intro
    else:
        title = identity.site_name
        description = getattr(page, "campaign_intro", "")
    articles = selectors.latest_articles(root=page, limit=FEED_ITEMS)
    # The covers' renditions in one query, not one per item (Image.get_rendition reads them).
    prefetch_related_objects(articles, "cover_image__renditions")
    return Channel(
        title=title,
        description=description or _("%(title)s的最新文章") % {"title": title},
        home_page_url=absolute_url(request, page.get_url(request=request)),
        feed_url=feed_url(request, page, kind),
        author=identity.host_organization or identity.site_name,
        entries=[_entry(article, request=request, full_text=identity.feed_full_text) for article in articles],
    )


class _Rss(feedgenerator.Rss201rev2Feed):
    """RSS 2.0 with the full text, when there is one, in ``content:encoded``."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["content_html"]:
            handler.addQuickElement("content:encoded", item["content_html"])


class _Atom(feedgenerator.Atom1Feed):
    """Atom 1.0 with the full text, when there is one, in ``<content type="html">``."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item["content_html"]:
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class _SyndicationFeed(Feed):
    """One feed of a prepared ``Channel``; made per request, so it may hold the channel."""

    language = "zh-cn"
    item_guid_is_permalink = False

    def __init__(self, channel, feed_type):
        self.channel = channel
        self.feed_type = feed_type
        self.title = channel.title
        self.link = channel.home_page_url
        self.description = self.subtitle = channel.description
        self.feed_url = channel.feed_url
        self.author_name = channel.author

    def get_object(self, request, *args, **kwargs):
        return self.channel

    def items(self):
        return self.channel.entries

    def item_title(self, entry):
        return entry.title

    def item_description(self, entry):
        return entry.summary

    def item_link(self, entry):
        return entry.url

    def item_guid(self, entry):
        return entry.guid

    def item_pubdate(self, entry):
        return entry.published

    def item_updateddate(self, entry):
        return entry.updated

    def item_author_name(self, entry):
        return entry.author

    def item_categories(self, entry):
        return entry.tags

    def item_enclosures(self, entry):
        cover = entry.cover
        return [feedgenerator.Enclosure(cover.url, str(cover.length), cover.mime_type)] if cover else []

    def item_extra_kwargs(self, entry):
        return {"content_html": entry.content_html}


def _json_item(entry):
    item = {"id": entry.guid, "url": entry.url, "title": entry.title, "summary": entry.summary}
    if entry.content_html:
        item["content_html"] = entry.content_html
    else:
        # JSON Feed requires content_html or content_text.
        item["content_text"] = entry.summary
    item.update(
        date_published=entry.published.isoformat(),
        date_modified=entry.updated.isoformat(),
        tags=entry.tags,
        authors=[{"name": entry.author}],
    )
    if entry.cover:
        item["image"] = entry.cover.url
    return item


def _json_feed(channel):
    data = {
        "version": JSON_FEED_VERSION,
        "title": channel.title,
        "home_page_url": channel.home_page_url,
        "feed_url": channel.feed_url,
        "description": channel.description,
        "language": "zh-CN",
        "authors": [{"name": channel.author}],
        "items": [_json_item(entry) for entry in channel.entries],
    }
    response = JsonResponse(
        data, content_type="application/feed+json; charset=utf-8", json_dumps_params={"ensure_ascii": False}
    )
    if channel.entries:
        response.headers["Last-Modified"] = http_date(max(e.updated for e in channel.entries).timestamp())
    return response


def serve_feed(request, *, page, kind):
    """The ``kind`` ("rss", "atom" or "json") feed of ``page``. The query string is not read."""
    channel = build_channel(request, page=page, kind=kind)
    if kind == "json":
        response = _json_feed(channel)
    else:
        response = _SyndicationFeed(channel, _Rss if kind == "rss" else _Atom)(request)
    # Public: the same for every reader; the page cache also keeps it until a page is published.
    patch_cache_control(response, public=True, max_age=FEED_MAX_AGE)
    return response


def discovery_links(*, page, request, site_name):
    """The ``<link rel="alternate">`` feeds for a page's <head>: the column's on the column and
    its articles, and the whole site's on every page."""
    Column = _column_model()
    specific = page.specific
    column = specific if isinstance(specific, Column) else getattr(specific, "column", None)
    sources = [(column, column.title)] if isinstance(column, Column) else []
    site = Site.find_for_request(request)
    root = site.root_page.specific if site else None
    if isinstance(root, apps.get_model("home", "HomePage")):
        sources.append((root, site_name))
    return [
        {"type": media_type, "title": f"{name}（{label}）", "href": feed_url(request, source, kind)}
        for source, name in sources
        # A page previewed before it was ever saved has no URL yet.
        if source.get_url(request=request)
        for kind, (media_type, label) in FEED_KINDS.items()
    ]
