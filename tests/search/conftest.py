import pytest
from django.db import connections, transaction

from search.models import SearchSynonym
from tests.committed_db import DEVELOPMENT_DATABASES

from .corpus import CORPUS_HOST, build_corpus


@pytest.fixture(scope="package")
def corpus(django_db_setup, django_db_blocker):
    """The search corpus (tests/search/corpus.py), built once for this package inside a
    transaction that is rolled back afterwards; each test still runs in its own savepoint.

    Tests using it must also ask for ``db``: pytest-django only sets up the test database when
    a selected test does."""
    with django_db_blocker.unblock():
        for connection in connections.all():
            assert connection.settings_dict["NAME"] != DEVELOPMENT_DATABASES[connection.alias], (
                "the corpus is only built in the test database: ask for `db` in the test"
            )
        with transaction.atomic():
            # The corpus tests are about Chinese analysis: no staff synonym (the demo's 119 → 消防)
            # may widen what they find. The synonym tests add their own.
            SearchSynonym.objects.all().delete()
            yield build_corpus()
            transaction.set_rollback(True)


@pytest.fixture
def corpus_client(db, client, settings, corpus):
    """A test client that asks for the corpus site by its host name."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, CORPUS_HOST]
    client.defaults["HTTP_HOST"] = CORPUS_HOST
    return client
