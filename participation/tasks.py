"""Background tasks of the participation reports (django-tasks, on the ``exports`` backend)."""

import logging

from django_tasks import task

from core import exports
from core.errors import ReaderFacingError

from . import export_tables
from .admin_views import parse_request, unit_in_scope

logger = logging.getLogger(__name__)


@task(backend=exports.TASK_BACKEND, queue_name=exports.TASK_QUEUE)
def run_export(job_id):
    """Write one export job's table (export_tables) to its file, with progress; the worker
    deletes the expired exports first, so old files go without a scheduler."""
    exports.purge_expired_exports()
    job = exports.start_export(job_id=job_id)
    if job is None:
        return
    try:
        campaign, unit, filters = parse_request(job.params)
        # Checked again here: the account's scope may have changed while the job waited.
        unit = unit_in_scope(job.user, unit)
        table = export_tables.table_for(job.table, unit)
        header, rows, total = table.build(export_tables.Scope(campaign=campaign, unit=unit, filters=filters))
        exports.write_export(job=job, header=header, rows=rows, total=total)
    except ReaderFacingError as error:
        exports.fail_export(job=job, message=error.message)
    except Exception:
        logger.exception("export job %s failed", job_id)
        exports.fail_export(job=job)
        raise
