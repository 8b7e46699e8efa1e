"""What goes in every page's <head>: government meta tags, Open Graph and schema.org JSON-LD."""

from django.utils.html import strip_tags

from core.structured_data import absolute_url


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
