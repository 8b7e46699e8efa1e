from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import embedding
from .admin_columns import YesNoColumn
from .embed_admin import EmbedCodeView, OutletEmbedPagesView
from .models import MediaOutlet


class MediaOutletViewSet(SnippetViewSet):
    model = MediaOutlet
    icon = "globe"
    menu_label = _("合作媒体")
    add_to_admin_menu = True
    menu_order = 260
    list_display = ["name", "allowed_origins", "contact_name", YesNoColumn("is_active", label=_("启用"))]
    list_filter = ["is_active"]
    ordering = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("allowed_origins"),
        HelpPanel(
            content=_(
                "启用后，上面列出的来源可以嵌入本站的答题、活动、专栏和文章。这家媒体专用的嵌入代码在"
                "合作媒体列表中它的“更多”菜单里（“嵌入代码”），也在页面列表中每个可嵌入页面的“更多”菜单里；"
                "用专用代码嵌入，浏览、答题和报名会统计到这家媒体名下。停用后，这些来源立即不能再嵌入。"
            ),
            heading=_("如何嵌入"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_phone")]), FieldPanel("contact_email")],
            heading=_("联系人"),
        ),
        FieldPanel("is_active"),
    ]


register_snippet(MediaOutletViewSet)


@hooks.register("register_admin_urls")
def register_embed_code_url():
    return [
        path("embed-code/<str:page_id>/", EmbedCodeView.as_view(), name="core_embed_code"),
        path("embed-code/outlet/<str:outlet_id>/", OutletEmbedPagesView.as_view(), name="core_outlet_embed_pages"),
    ]


@hooks.register("register_snippet_listing_buttons")
def outlet_listing_embed_code_button(snippet, user, next_url=None):
    # An inactive outlet's frames are refused, so it has no code to copy.
    if isinstance(snippet, MediaOutlet) and snippet.is_active:
        yield Button(
            _("嵌入代码"), reverse("core_outlet_embed_pages", args=[snippet.pk]), icon_name="code", priority=45
        )


def _embed_code_button(page, priority):
    if not embedding.is_embeddable(page):
        return []
    return [Button(_("嵌入代码"), reverse("core_embed_code", args=[page.pk]), icon_name="code", priority=priority)]


@hooks.register("register_page_listing_more_buttons")
def page_listing_embed_code_button(page, user, next_url=None):
    yield from _embed_code_button(page, priority=45)


@hooks.register("register_page_header_buttons")
def page_header_embed_code_button(page, user, view_name, next_url=None):
    yield from _embed_code_button(page, priority=62)
