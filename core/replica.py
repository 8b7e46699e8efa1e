"""Report reads on a read replica of PostgreSQL (settings: DATABASE_REPLICA_URL).

Only the work marked with :func:`replica_reads` reads there: the staff reports (participation
dashboard, 通报, contest reports, their exports) read many rows and may be a moment behind.
Everything a participant or an editor does reads and writes the primary, so nobody misses their
own answer a replica has not received yet. Writes always go to the primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading_from_replica = ContextVar("reading_from_replica", default=False)


@contextmanager
def replica_reads():
    """Within the block, reads go to the replica when one is configured."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def reads_from_replica(view):
    """A view whose reads go to the replica, its template's included: a TemplateResponse is
    rendered before the block ends (the querysets it is given run while it renders)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        with replica_reads():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response

    return wrapper


def replica_configured():
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when a replica is configured."""

    def db_for_read(self, model, **hints):
        # A read inside a transaction on the primary belongs to a write (refreshing the rollups
        # before a report: it locks and reads the ledger, then writes): it must see the primary.
        if _reading_from_replica.get() and replica_configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both: a row read on the replica may relate to one on the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica gets its schema by replication
