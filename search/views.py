from django.http.request import split_domain_port
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy
from elastic_transport import TransportError
from elasticsearch import ApiError

from core.errors import ReaderFacingError
from core.responses import error_response
from home.selectors import topics

from . import elastic
from .elastic.selectors import search_documents
from .elastic.selectors import search_types as elastic_search_types
from .selectors import SEARCH_TYPES, clean_query, search_site, site_root, suggest_queries


def _database_search(*, query, root, type_slug, topic_slug, page_number):
    page_obj = search_site(
        query=query, site_root=root, type_slug=type_slug, topic_slug=topic_slug, page_number=page_number
    )
    suggestions = [] if page_obj.paginator.count else suggest_queries(query=query, site_root=root)
    return page_obj, {}, suggestions


class SearchUnavailable(ReaderFacingError):
    status = 503
    default_message = gettext_lazy("搜索暂时不可用，请稍后再试。")


def _elastic_search(*, query, root, type_slug, topic_slug, page_number):
    try:
        results = search_documents(
            query=query, site_root=root, type_slug=type_slug, topic_slug=topic_slug, page_number=page_number
        )
    except (ApiError, TransportError) as error:
        # Elasticsearch down or refusing: say so, rather than a server error.
        raise SearchUnavailable() from error
    return results.page_obj, results.facets, results.suggestions


def search(request):
    query, truncated = clean_query(request.GET.get("q", ""))
    root = site_root(hostname=split_domain_port(request.get_host())[0], port=request.get_port())
    type_slug = request.GET.get("type", "")
    topic_slug = request.GET.get("topic", "")
    use_elastic = elastic.enabled()
    page_obj = None
    facets = {}
    suggestions = []
    if query and root is not None:
        run = _elastic_search if use_elastic else _database_search
        try:
            page_obj, facets, suggestions = run(
                query=query,
                root=root,
                type_slug=type_slug,
                topic_slug=topic_slug,
                page_number=request.GET.get("page", 1),
            )
        except SearchUnavailable as error:
            return error_response(request, error, back_url="/", back_label=gettext("返回首页"))
    if use_elastic:
        search_types = elastic_search_types()
    else:
        search_types = [(slug, label) for slug, (_app, _model, label) in SEARCH_TYPES.items()]
    return render(
        request,
        "search/search.html",
        {
            "search_query": query,
            "query_truncated": truncated,
            "page_obj": page_obj,
            "facets": facets,
            "suggestions": suggestions,
            "search_types": search_types,
            "current_type": type_slug,
            "current_topic": topic_slug,
            "topics": topics(),
        },
    )
