"""Writes for the answer-sheet contests, one module per seam: ``bank`` (question versions),
``participants`` (identifying a person again as the same participant), ``drawing`` (starting a
sheet), ``answering`` (saving, submitting, grading and finalising), ``review`` (staff confirming a
flagged sheet, granting an extra attempt) and ``export``. Every function is keyword-only and atomic; each raises a
``quizzes.errors.ContestError`` (Chinese message, HTTP status) and changes nothing when it refuses.

Exactly-once rests on the database: the sheet row is locked (``select_for_update``; SQLite's
IMMEDIATE transactions serialise writers instead) while an answer is saved or the sheet graded,
and unique constraints on (contest, participant, attempt number / day / in-progress) stop two
concurrent starts from exceeding an allowance.
"""
