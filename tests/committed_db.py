"""A ``db`` fixture without the wrapping transaction, for tests whose data must be committed:
a live server answering from its own threads, or threads racing each other on PostgreSQL.

Import it into a test module or conftest (``from tests.committed_db import db``) to override
pytest-django's ``db`` there. It keeps the name ``db`` because pytest-django only creates the
test databases when some collected test asks for ``db`` (or a ``django_db`` mark); the wrapping
transaction is what it leaves out. Whatever such a test writes stays written, so it must clean
up after itself, and it must never use ``transactional_db``, whose flush would delete the demo
site every other test reads.
"""

import pytest
from django.conf import settings
from django.db import connections

# Read before pytest-django swaps in the test databases, to prove later that it did.
DEVELOPMENT_DATABASES = {alias: config["NAME"] for alias, config in settings.DATABASES.items()}


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for connection in connections.all():
            assert connection.settings_dict["NAME"] != DEVELOPMENT_DATABASES[connection.alias], (
                f"{connection.alias} is not the test database"
            )
        yield


def delete_unit_and_made_ancestors(unit):
    """Delete a unit made by ``UnitFactory`` in committed data, and the town and city the factory
    made for it, so no stray tree is left for later tests (which count the demo units)."""
    ancestors = []
    parent = unit.parent
    while parent is not None:
        ancestors.append(parent)
        parent = parent.parent
    unit.delete()
    for ancestor in ancestors:
        if ancestor.children.exists() or not ancestor.name.startswith("测试"):
            break
        ancestor.delete()
