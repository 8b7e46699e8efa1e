from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: errors, masking, spreadsheets, strict parsing, structured data."""

    name = "core"
    verbose_name = _("公共组件")

    def ready(self):
        from . import embedding, slugs
        from .models import MediaOutlet

        slugs.use_pinyin_slug_forms()
        pre_save.connect(slugs.use_pinyin_slug, dispatch_uid="core.slugs.use_pinyin_slug")
        for signal in (post_save, post_delete):
            signal.connect(embedding.forget_active_origins, sender=MediaOutlet, dispatch_uid="core.embedding.origins")
