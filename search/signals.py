"""Keeping the search documents (search.elastic) in step with the pages, when Elasticsearch is on.

The receivers are always connected and do nothing without ``ELASTICSEARCH_URL``; the work is
queued once the transaction commits, so the worker reads what was saved.
"""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from .elastic import enabled
from .elastic.documents import DOCUMENTS
from .elastic.tasks import rebuild_indices, sync_pages


def _enqueue_sync(page_ids, *, include_descendants=False):
    if enabled():
        transaction.on_commit(partial(sync_pages.enqueue, page_ids=page_ids, include_descendants=include_descendants))


def page_changed(sender, instance, **kwargs):
    if isinstance(instance, tuple(document.model() for document in DOCUMENTS)):
        _enqueue_sync([instance.pk])


def page_deleted(sender, instance, **kwargs):
    _enqueue_sync([instance.pk])


def subtree_changed(sender, instance, **kwargs):
    _enqueue_sync([instance.pk], include_descendants=True)


def restriction_changed(sender, instance, **kwargs):
    _enqueue_sync([instance.page_id], include_descendants=True)


def synonyms_changed(sender, **kwargs):
    # The synonyms are part of the index's analyzer: a rebuild brings them in.
    if enabled():
        transaction.on_commit(rebuild_indices.enqueue)


def connect(synonym_model):
    page_published.connect(page_changed, dispatch_uid="search-elastic-published")
    page_unpublished.connect(page_changed, dispatch_uid="search-elastic-unpublished")
    # Both change the URLs of the page and of every page below it.
    post_page_move.connect(subtree_changed, dispatch_uid="search-elastic-moved")
    page_slug_changed.connect(subtree_changed, dispatch_uid="search-elastic-slug-changed")
    for document in DOCUMENTS:
        post_delete.connect(
            page_deleted, sender=document.model(), dispatch_uid=f"search-elastic-delete-{document.TYPE}"
        )
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid=f"search-elastic-privacy-{name}")
        signal.connect(synonyms_changed, sender=synonym_model, dispatch_uid=f"search-elastic-synonyms-{name}")
