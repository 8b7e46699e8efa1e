"""The admin's 嵌入代码 pages: what an outlet's web editor pastes to show one of our pages.

A page's 嵌入代码 (``/admin/embed-code/<page id>/``) gives the generic snippet or, with
``?outlet=<id>``, an active outlet's own, whose frame address names the outlet so that what
comes through it is counted for it (core.attribution). From an outlet in 合作媒体, its 嵌入代码
lists the pages it can embed, each linking to that page's code for the outlet."""

from urllib.parse import urlencode, urlsplit

from django.db.models import F
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.models import Page

from . import embedding
from .admin_views import AdminPage
from .errors import ReaderFacingError
from .parsing import parse_id

PAGES_LISTED = 30
QUERY_MAX_LENGTH = 100


class OutletNotFound(ReaderFacingError):
    status = 404
    default_message = gettext_lazy("没有找到这个合作媒体，或它已停用：启用后才有它的嵌入代码。")


def _active_outlet(outlet_id):
    """The active outlet ``outlet_id`` names, else OutletNotFound (an inactive outlet's frames
    are refused, so its code would show nothing)."""
    outlet_pk = parse_id(outlet_id)
    outlet = embedding.active_outlets().filter(pk=outlet_pk).first() if outlet_pk else None
    if outlet is None:
        raise OutletNotFound()
    return outlet


def _refusal(request, error):
    # Wagtail's admin 404 page has no room for a reason; this one says which outlet is missing.
    return TemplateResponse(request, "core/admin/embed_error.html", {"message": error.message}, status=error.status)


def embed_code_url(page, outlet=None):
    url = reverse("core_embed_code", args=[page.pk])
    return f"{url}?{urlencode({'outlet': outlet.pk})}" if outlet is not None else url


class EmbedCodeView(AdminPage, TemplateView):
    template_name = "core/admin/embed_code.html"
    page_title = gettext_lazy("嵌入代码")
    header_icon = "code"

    def get_page_subtitle(self):
        return self.page.title

    def dispatch(self, request, page_id):
        page_pk = parse_id(page_id)
        page = Page.objects.filter(pk=page_pk).first() if page_pk else None
        if page is None or not embedding.is_embeddable(page):
            raise Http404
        self.page = page.specific
        outlet_id = request.GET.get("outlet", "")
        try:
            self.outlet = _active_outlet(outlet_id) if outlet_id else None
        except OutletNotFound as error:
            return _refusal(request, error)
        return super().dispatch(request, page_id)

    def get_context_data(self, **kwargs):
        page, outlet = self.page, self.outlet
        # The host readers use (the page's Site), which may differ from the admin's host.
        full_url = page.get_full_url(self.request)
        parts = urlsplit(full_url) if full_url else None
        base_url = f"{parts.scheme}://{parts.netloc}" if parts else self.request.build_absolute_uri("/").rstrip("/")
        return super().get_context_data(
            page=page,
            outlet=outlet,
            snippet=embedding.embed_snippet(page, base_url=base_url, outlet=outlet),
            embed_url=base_url + embedding.embed_path(page, outlet),
            oembed_url=base_url + reverse("oembed") + "?" + urlencode({"url": full_url or "", "format": "json"}),
            is_public=embedding.embeddable_pages().filter(pk=page.pk).exists(),
            generic_url=embed_code_url(page),
            outlet_choices=[(choice, embed_code_url(page, choice)) for choice in embedding.active_outlets()],
            **kwargs,
        )


class OutletEmbedPagesView(AdminPage, TemplateView):
    """An outlet's way to its codes: the embeddable live pages, newest first or by title."""

    template_name = "core/admin/outlet_embed_pages.html"
    page_title = gettext_lazy("嵌入代码")
    header_icon = "code"

    def get_page_subtitle(self):
        return self.outlet.name

    def dispatch(self, request, outlet_id):
        try:
            self.outlet = _active_outlet(outlet_id)
        except OutletNotFound as error:
            return _refusal(request, error)
        return super().dispatch(request, outlet_id)

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
        pages = embedding.embeddable_pages().select_related("content_type")
        if query:
            pages = pages.filter(title__icontains=query)
        pages = pages.order_by(F("last_published_at").desc(nulls_last=True), "-pk")[:PAGES_LISTED]
        return super().get_context_data(
            outlet=self.outlet,
            query=query,
            rows=[
                {"page": page, "kind": page.content_type.name, "url": embed_code_url(page, self.outlet)}
                for page in pages
            ],
            limit=PAGES_LISTED,
            **kwargs,
        )
