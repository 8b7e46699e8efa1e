"""Invalidate the anonymous page cache whenever what a reader sees may have changed.

Page saves that are only drafts or revisions do not change the public site, so pages invalidate
on publish, unpublish, move and delete rather than on every save.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from .cache import invalidate_page_cache
from .models import Audience, SiteIdentity, Topic


def _invalidate(**kwargs):
    invalidate_page_cache()


for signal in (page_published, page_unpublished, post_page_move):
    signal.connect(_invalidate, dispatch_uid=f"pagecache-{id(signal)}")
post_delete.connect(_invalidate, sender=Page, dispatch_uid="pagecache-page-delete")
# A new view restriction must stop the cache from serving the page to the public at once.
for model in (SiteIdentity, Topic, Audience, PageViewRestriction):
    post_save.connect(_invalidate, sender=model, dispatch_uid=f"pagecache-save-{model.__name__}")
    post_delete.connect(_invalidate, sender=model, dispatch_uid=f"pagecache-delete-{model.__name__}")
