"""The admin's 嵌入代码 page: what an outlet's web editor pastes to show one of our pages."""

from urllib.parse import urlencode, urlsplit

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.models import Page

from . import embedding
from .admin_views import AdminPage
from .parsing import parse_id


class EmbedCodeView(AdminPage, TemplateView):
    template_name = "core/admin/embed_code.html"
    page_title = _("嵌入代码")
    header_icon = "code"

    def get_page_subtitle(self):
        return self.page.title

    def dispatch(self, request, page_id):
        page_pk = parse_id(page_id)
        page = Page.objects.filter(pk=page_pk).first() if page_pk else None
        if page is None or not embedding.is_embeddable(page):
            raise Http404
        self.page = page.specific
        return super().dispatch(request, page_id)

    def get_context_data(self, **kwargs):
        page = self.page
        # The host readers use (the page's Site), which may differ from the admin's host.
        full_url = page.get_full_url(self.request)
        parts = urlsplit(full_url) if full_url else None
        base_url = f"{parts.scheme}://{parts.netloc}" if parts else self.request.build_absolute_uri("/").rstrip("/")
        return super().get_context_data(
            page=page,
            snippet=embedding.embed_snippet(page, base_url=base_url),
            embed_url=base_url + embedding.embed_path(page),
            oembed_url=base_url + reverse("oembed") + "?" + urlencode({"url": full_url or "", "format": "json"}),
            is_public=embedding.embeddable_pages().filter(pk=page.pk).exists(),
            outlets=embedding.active_outlets(),
            **kwargs,
        )
