from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Audience, Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug", "sort_order"]
    # No search_fields: modelsearch's SQLite backend fails when asked to search named fields
    # ("no such column"), while a plain search uses Topic.search_fields through our backend.
    ordering = ["sort_order"]


class AudienceViewSet(SnippetViewSet):
    model = Audience
    icon = "group"
    list_display = ["name", "slug", "sort_order"]
    ordering = ["sort_order"]


class ColumnTaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("专栏分类")
    menu_icon = "folder-open-inverse"
    items = (TopicViewSet, AudienceViewSet)


register_snippet(ColumnTaxonomyGroup)
