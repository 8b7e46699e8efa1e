"""Question bank (``bank``), contests, one Wagtail page each (``contests``), and answer sheets
(``sheets``).

Code inside the app imports from those modules, never from this package: ``contests`` imports
the views and selectors, so their importing the package would be a cycle. ``from quizzes.models
import X`` is for everything else (migrations, other apps, tests).
"""

from .bank import Choice, Question, QuestionQuerySet, QuestionVersion
from .contests import ContestIndexPage, ContestPage, DrawRule, FixedQuestion, _default_unit_kinds
from .rosters import RosterEntry
from .sheets import AnswerSheet, AnswerSheetQuerySet, ExtraAttempt, Participant, SheetQuestion

__all__ = [
    "AnswerSheet",
    "AnswerSheetQuerySet",
    "Choice",
    "ContestIndexPage",
    "ContestPage",
    "DrawRule",
    "ExtraAttempt",
    "FixedQuestion",
    "Participant",
    "Question",
    "QuestionQuerySet",
    "QuestionVersion",
    "RosterEntry",
    "SheetQuestion",
    # Migration 0001 refers to the default as quizzes.models._default_unit_kinds.
    "_default_unit_kinds",
]
