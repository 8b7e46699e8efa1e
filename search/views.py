from django.http.request import split_domain_port
from django.shortcuts import render

from home.selectors import topics

from .selectors import SEARCH_TYPES, clean_query, search_site, site_root, suggest_queries


def search(request):
    query, truncated = clean_query(request.GET.get("q", ""))
    root = site_root(hostname=split_domain_port(request.get_host())[0], port=request.get_port())
    type_slug = request.GET.get("type", "")
    topic_slug = request.GET.get("topic", "")
    page_obj = None
    suggestions = []
    if query and root is not None:
        page_obj = search_site(
            query=query,
            site_root=root,
            type_slug=type_slug,
            topic_slug=topic_slug,
            page_number=request.GET.get("page", 1),
        )
        if not page_obj.paginator.count:
            suggestions = suggest_queries(query=query, site_root=root)
    return render(
        request,
        "search/search.html",
        {
            "search_query": query,
            "query_truncated": truncated,
            "page_obj": page_obj,
            "suggestions": suggestions,
            "search_types": [(slug, label) for slug, (_app, _model, label) in SEARCH_TYPES.items()],
            "current_type": type_slug,
            "current_topic": topic_slug,
            "topics": topics(),
        },
    )
