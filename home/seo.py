"""What goes in every page's <head>: government meta tags, Open Graph and Twitter cards, and
schema.org JSON-LD."""

from dataclasses import dataclass

from django.utils.html import strip_tags

from core.structured_data import absolute_url

from . import share_images

# JPEG: WeChat shows no card image in WebP.
COVER_RENDITION = "fill-1200x630|format-jpeg|jpegquality-85"
# The page fields that hold a picture of the page, with their alt text, in order of preference.
COVER_FIELDS = (("cover_image", "cover_alt_text"), ("banner_image", "banner_alt_text"))


@dataclass(frozen=True)
class ShareImage:
    url: str
    width: int | None
    height: int | None
    alt: str
    mime_type: str


def page_metadata(*, page, request, identity):
    """A dict the base template renders as meta tags; works for any page type."""
    specific = page.specific
    column = getattr(specific, "column", None)
    description = (
        page.search_description
        or getattr(specific, "summary", "")
        or getattr(specific, "intro", "")
        or getattr(specific, "campaign_intro", "")
    )
    topics = [topic.name for topic in specific.topics.all()] if hasattr(specific, "topics") else []
    publish_date = getattr(specific, "publish_date", None) or (
        page.first_published_at and page.first_published_at.date()
    )
    site_name = identity.site_name
    return {
        "site_name": site_name,
        "site_domain": request.get_host(),
        "site_id_code": identity.site_id_code,
        "column_name": column.title if column else page.title,
        "article_title": page.title if column else "",
        "pub_date": publish_date,
        "content_source": getattr(specific, "source", "") or identity.host_organization,
        "keywords": ",".join(topics + ["安全生产", "安全生产月"]),
        "description": strip_tags(description)[:200],
        "canonical_url": absolute_url(request, page.get_url(request=request)),
        "og_type": "article" if column else "website",
    }


def structured_data(*, page, request, identity, image_url=""):
    """schema.org JSON-LD: NewsArticle for column articles, WebPage otherwise."""
    specific = page.specific
    url = absolute_url(request, page.get_url(request=request))
    publisher = {"@type": "GovernmentOrganization", "name": identity.host_organization or identity.site_name}
    if hasattr(specific, "publish_date") and hasattr(specific, "editor"):
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": page.title,
            "description": specific.summary,
            "datePublished": specific.publish_date.isoformat(),
            "dateModified": (page.last_published_at or page.latest_revision_created_at).isoformat()
            if (page.last_published_at or page.latest_revision_created_at)
            else specific.publish_date.isoformat(),
            "author": {"@type": "Person", "name": specific.author or specific.editor},
            "editor": specific.editor,
            "publisher": publisher,
            "mainEntityOfPage": url,
            "inLanguage": "zh-CN",
            "articleSection": specific.column.title,
            "keywords": [topic.name for topic in specific.topics.all()],
        }
        if image_url:
            data["image"] = [absolute_url(request, image_url)]
        return data
    return {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": page.title,
        "url": url,
        "inLanguage": "zh-CN",
        "publisher": publisher,
    }


def _cover(page):
    for image_field, alt_field in COVER_FIELDS:
        image = getattr(page, image_field, None)
        if image is None:
            continue
        try:
            rendition = image.get_rendition(COVER_RENDITION)
        except OSError:  # the original file is gone (SourceImageIOError): the generated card instead
            continue
        return ShareImage(
            url=rendition.url,
            width=rendition.width,
            height=rendition.height,
            alt=getattr(page, alt_field, "") or page.title,
            mime_type="image/jpeg",
        )
    return None


def share_image(*, page, identity):
    """The page's card image: its cover (or banner) as a 1200×630 JPEG, else the generated PNG
    with its title (home.share_images). ``url`` is relative to the site."""
    specific = page.specific
    cover = _cover(specific)
    if cover is not None:
        return cover
    width, height = share_images.SIZE
    return ShareImage(
        url=share_images.share_image_url(page=page, site_name=identity.site_name),
        width=width,
        height=height,
        alt=page.title,
        mime_type="image/png",
    )


def share_card(*, page, request, identity):
    """What a shared link shows in WeChat: the title, description and image the page's Open
    Graph tags give."""
    meta = page_metadata(page=page, request=request, identity=identity)
    image = share_image(page=page, identity=identity)
    return {"title": page.title, "description": meta["description"], "image_url": absolute_url(request, image.url)}
