"""Writes to the search documents: keeping pages in sync, and rebuilding the indices behind their aliases."""

from dataclasses import dataclass

from django.utils import timezone
from wagtail.models import Page

from .client import get_client
from .documents import DOCUMENTS, alias_name, build_index

# Pages per bulk request while rebuilding: a few MB of text at most.
BULK_SIZE = 500


class IndexingError(RuntimeError):
    pass


def _send(client, operations, **params):
    if not operations:
        return
    response = client.bulk(operations=operations, **params)
    if response["errors"]:
        failed = [item for item in response["items"] if "error" in next(iter(item.values()))]
        raise IndexingError(f"{len(failed)} of {len(response['items'])} bulk operations failed: {failed[:3]}")


def _index_operation(index, document):
    return [{"index": {"_index": index, "_id": document.meta.id}}, document.to_dict()]


def sync_pages(*, page_ids, include_descendants=False):
    """Index each of these pages that belongs in the search (live, public, of an indexed type) and
    remove the others (unpublished, made private, deleted); with ``include_descendants``, also
    the pages below them (a move changes their URLs, a view restriction covers them)."""
    ids = set(page_ids)
    if include_descendants:
        for page in Page.objects.filter(pk__in=page_ids):
            ids.update(Page.objects.descendant_of(page).values_list("pk", flat=True))
    operations = []
    for document in DOCUMENTS:
        alias = alias_name(document)
        indexable = {page.pk: page for page in document.pages().filter(pk__in=ids)}
        for page_id in sorted(ids):
            if page_id in indexable:
                operations += _index_operation(alias, document.from_page(indexable[page_id]))
            else:
                # A page is in one index at most; deleting a missing document is not an error.
                operations.append({"delete": {"_index": alias, "_id": page_id}})
    # require_alias: before the first rebuild, fail instead of creating an index without our mapping.
    _send(get_client(), operations, require_alias=True)


@dataclass
class RebuildResult:
    alias: str
    index: str
    count: int
    label: str


def _existing(client, alias):
    """What the alias points at now, and whether a plain index (made by a write before the first
    rebuild) holds its name."""
    if client.indices.exists_alias(name=alias):
        return list(client.indices.get_alias(name=alias)), False
    return [], bool(client.indices.exists(index=alias))


def rebuild():
    """Build every index anew (mapping, today's synonyms), fill it with every page that belongs
    in it, then point the alias at it in one step and delete the old one: searches see the old
    index until the new one is complete."""
    client = get_client()
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    results = []
    for document in DOCUMENTS:
        alias = alias_name(document)
        name = f"{alias}-{stamp}"
        build_index(document, name).create(using=client)
        count = 0
        operations = []
        for page in document.pages().iterator(chunk_size=BULK_SIZE):
            operations += _index_operation(name, document.from_page(page))
            count += 1
            if count % BULK_SIZE == 0:
                _send(client, operations)
                operations = []
        _send(client, operations)
        client.indices.refresh(index=name)
        old, plain_index = _existing(client, alias)
        actions = [{"remove_index": {"index": alias}}] if plain_index else []
        actions += [{"remove": {"index": index, "alias": alias}} for index in old]
        actions.append({"add": {"index": name, "alias": alias}})
        client.indices.update_aliases(actions=actions)
        if old:
            client.indices.delete(index=old)
        results.append(RebuildResult(alias=alias, index=name, count=count, label=document.model()._meta.verbose_name))
    return results
