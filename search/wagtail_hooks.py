from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SearchSynonym


class SearchSynonymViewSet(SnippetViewSet):
    model = SearchSynonym
    icon = "search"
    list_display = ["term", "equivalents"]
    ordering = ["term"]


register_snippet(SearchSynonymViewSet)
