"""Report reads on the read replica (core.replica): only inside the marked views and tasks, never
for writes, and never for a read that belongs to a write (inside a transaction on the primary)."""

from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.template import engines
from django.template.response import TemplateResponse
from django.test import RequestFactory

from core.replica import ReplicaRouter, reads_from_replica, replica_reads
from quizzes.models import AnswerSheet

router = ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr("core.replica.replica_configured", lambda: True)


def test_reads_stay_on_the_primary_outside_the_marked_work(with_replica):
    assert router.db_for_read(AnswerSheet) is None


def test_marked_reads_go_to_the_replica_and_writes_to_the_primary(with_replica):
    with replica_reads():
        assert router.db_for_read(AnswerSheet) == "replica"
        assert router.db_for_write(AnswerSheet) == "default"
    assert router.db_for_read(AnswerSheet) is None


def test_without_a_replica_marked_reads_stay_on_the_primary():
    with replica_reads():
        assert router.db_for_read(AnswerSheet) is None


def test_a_read_inside_a_transaction_belongs_to_a_write_and_stays_on_the_primary(with_replica, monkeypatch):
    # As inside refresh_rollups (transaction.atomic) called by the dashboard's selector.
    monkeypatch.setattr("core.replica.connections", {"default": SimpleNamespace(in_atomic_block=True)})
    with replica_reads():
        assert router.db_for_read(AnswerSheet) is None


def test_a_marked_views_template_is_rendered_while_its_reads_go_to_the_replica(with_replica):
    seen = []

    class Probe:
        def __str__(self):
            seen.append(router.db_for_read(AnswerSheet))
            return "probe"

    template = engines["django"].from_string("{{ probe }}")

    @reads_from_replica
    def report(request):
        return TemplateResponse(request, template, {"probe": Probe()})

    response = report(RequestFactory().get("/"))
    assert response.content == b"probe" and seen == ["replica"]


def test_the_replica_gets_no_migrations():
    assert router.allow_migrate("replica", "quizzes") is False
    assert router.allow_migrate("default", "quizzes") is True


def test_a_plain_response_passes_through(with_replica):
    @reads_from_replica
    def view(request):
        return HttpResponse(router.db_for_read(AnswerSheet))

    assert view(RequestFactory().get("/")).content == b"replica"
