"""The whole Chinese demo: each app loads its own part, in the order their dependencies need.
Safe to run repeatedly (every part creates only what is missing); ``make run`` and the tests'
database set-up both call ``load_demo_content``.

Each part is its own transaction, not one around them all: the event demo announces its
registrations on commit, so the ledger records them as that part finishes, once, before the
participation demo reads it; the contest demo's simulated sheets send nothing and the participation
demo records them in bulk. A load that fails part-way keeps the finished parts and
completes them when run again."""

from core.demo import load_demo_outlets
from events.demo import load_demo_events
from home.demo.loader import load_demo_site
from organizations.demo import load_demo_units
from participation.demo import load_demo_participation
from quizzes.demo.loader import load_demo_contests
from search.demo import load_demo_synonyms


def load_demo_content(*, admin_password, contest_sheets=3000):
    """Create whatever part of the demo site is missing, with ``contest_sheets`` simulated answer
    sheets for contests that have none yet. Returns the number of articles created."""
    home, created = load_demo_site(admin_password=admin_password)
    load_demo_synonyms()
    load_demo_outlets()
    load_demo_units()
    students_contest, _adults_contest = load_demo_contests(home=home, sheets=contest_sheets)
    load_demo_events(home=home, related_contest=students_contest)
    # Last: it reads what the others recorded and sets the headcounts the participation story needs.
    load_demo_participation()
    return created
