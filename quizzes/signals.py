"""What the contests tell other apps. ``participation`` keeps its ledger from these; quizzes never
imports its listeners.

``sheet_finished`` is sent as ``sheet_finished.send(sender=AnswerSheet, sheet=sheet)`` exactly once
per finished sheet, after the transaction that finished it commits: from ``answering._grade``,
which every finishing path goes through under the sheet's row lock (submit, a save or submit past
the deadline, lazy finalisation when an overdue sheet is opened or a new one started,
``manage.py finalise_overdue_sheets``). The demo loader's simulated sheets send nothing: the
participation demo records them in bulk. A sheet already finished is returned as it is and sends
nothing, so fifty concurrent submits send once.

Receivers run after the commit, so the sheet is saved whatever they do. A receiver that raises is
logged (by ``django.dispatch`` with the traceback, and by ``quizzes.signals`` naming the sheet, both
at ERROR) and the other receivers still run: the participant's submit, or the cron finalising a
batch of sheets, never fails because a listener did. Letting the error propagate would only show a
500 for a sheet that is already graded, and the retry would find the sheet finished and send
nothing again, so failing the request would gain nothing.
"""

import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

from .models.sheets import AnswerSheet

logger = logging.getLogger(__name__)

# Arguments: sheet (a finished AnswerSheet). Read it with quizzes.selectors.sheet_outcome.
sheet_finished = Signal()


def _send(sheet):
    for receiver, result in sheet_finished.send_robust(sender=AnswerSheet, sheet=sheet):
        if isinstance(result, Exception):
            # send_robust has logged the traceback (logger django.dispatch); this names the sheet.
            logger.error("sheet_finished receiver %r failed for sheet %s: %r", receiver, sheet.public_id, result)


def send_sheet_finished_on_commit(sheet):
    """Send ``sheet_finished`` for ``sheet`` once the current transaction commits (at once outside
    a transaction). Callers make sure they call it once per sheet: when they finish it."""
    transaction.on_commit(partial(_send, sheet))
