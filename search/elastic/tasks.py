"""Background tasks of the search documents, on the "background" backend's "search" queue."""

from django_tasks import task

from . import indexing

BACKEND = "background"
QUEUE = "search"


@task(backend=BACKEND, queue_name=QUEUE)
def sync_pages(page_ids, include_descendants=False):
    indexing.sync_pages(page_ids=page_ids, include_descendants=include_descendants)


@task(backend=BACKEND, queue_name=QUEUE)
def rebuild_indices():
    indexing.rebuild()
