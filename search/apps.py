from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "site_search"
    verbose_name = "站内搜索"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import signals
        from .synonyms import invalidate_synonyms

        SearchSynonym = self.get_model("SearchSynonym")
        post_save.connect(invalidate_synonyms, sender=SearchSynonym, dispatch_uid="search-synonyms-save")
        post_delete.connect(invalidate_synonyms, sender=SearchSynonym, dispatch_uid="search-synonyms-delete")
        signals.connect(SearchSynonym)
