"""The ledger's sums per unit, in one shape whichever table they come from.

``*_sums(entries)`` aggregate a queryset of ledger entries; ``*_rows(...)`` read the same sums from
the rollup tables (models.ChannelRollup and friends) that ``services.refresh_rollups`` fills with
the first. The selectors take either, so a report over the rollups and one over the ledger are the
same code and (tests/participation/test_rollups.py) the same numbers.
"""

from django.db import connections
from django.db.models import Count, FloatField, Q, Sum
from django.db.models.functions import Cast

from .choices import PARTICIPATION_CHANNELS, Channel
from .models import ChannelRollup, DayRollup, ReachRollup, TopicRollup

CHANNEL_FIELDS = ("rows", "people", "keyed_people", "score_percent_total", "passed_rows", "full_marks_rows")


def channel_sums(entries):
    """Per (unit, audience, channel): entries, people, distinct keys, the sheets' score percents."""
    return (
        entries.order_by()
        .values("unit_id", "audience", "channel")
        .annotate(
            rows=Count("pk"),
            people=Sum("people"),
            keyed_people=Count("person_key", distinct=True, filter=~Q(person_key="")),
            score_percent_total=Sum(Cast("score", FloatField()) * 100.0 / Cast("max_score", FloatField()), default=0.0),
            passed_rows=Count("pk", filter=Q(passed=True)),
            full_marks_rows=Count("pk", filter=Q(full_marks=True)),
        )
    )


def reach_sums(entries):
    """Per (unit, audience): people reached, a key counted once across the participation channels."""
    rows = (
        entries.filter(channel__in=PARTICIPATION_CHANNELS)
        .order_by()
        .values("unit_id", "audience")
        .annotate(
            keyed=Count("person_key", distinct=True, filter=~Q(person_key="")),
            counted=Sum("people", filter=Q(person_key=""), default=0),
        )
    )
    return [
        {"unit_id": row["unit_id"], "audience": row["audience"], "participants": row["keyed"] + row["counted"]}
        for row in rows
    ]


def day_sums(entries):
    return (
        entries.order_by()
        .values("unit_id", "audience", "channel", "occurred_on")
        .annotate(rows=Count("pk"), people=Sum("people"))
    )


# Per (unit, audience, topic id) over the sheets' topic_results ({"<topic id>": [correct, total]}):
# the JSON is expanded by the database (json_each / jsonb_each), not decoded sheet by sheet here.
_TOPIC_SUMS_SQL = {
    "sqlite": (
        "SELECT e.unit_id, e.audience, CAST(t.key AS INTEGER), SUM(json_extract(t.value, '$[0]')), "
        "SUM(json_extract(t.value, '$[1]')) FROM ({entries}) e, json_each(e.topic_results) t GROUP BY 1, 2, 3"
    ),
    "postgresql": (
        "SELECT e.unit_id, e.audience, t.key::integer, SUM((t.value->>0)::integer), "
        "SUM((t.value->>1)::integer) FROM ({entries}) e, jsonb_each(e.topic_results) t GROUP BY 1, 2, 3"
    ),
}


def topic_sums(entries):
    """Per (unit, audience, topic id): correct and total answers over the answer sheets."""
    sheets = entries.filter(channel=Channel.CONTEST).order_by().values("unit_id", "audience", "topic_results")
    sql, params = sheets.query.sql_with_params()
    connection = connections[sheets.db]
    with connection.cursor() as cursor:
        cursor.execute(_TOPIC_SUMS_SQL[connection.vendor].format(entries=sql), params)
        return [
            {"unit_id": unit_id, "audience": audience, "topic_id": topic_id, "correct": correct, "total": total}
            for unit_id, audience, topic_id, correct, total in cursor.fetchall()
        ]


def _rollup_rows(model, scope, fields):
    return scope(model.objects.all()).order_by().values("unit_id", "audience", *fields)


def channel_rows(scope):
    return _rollup_rows(ChannelRollup, scope, ("channel", *CHANNEL_FIELDS))


def reach_rows(scope):
    return _rollup_rows(ReachRollup, scope, ("participants",))


def day_rows(scope):
    return _rollup_rows(DayRollup, scope, ("channel", "occurred_on", "rows", "people"))


def topic_rows(scope):
    return _rollup_rows(TopicRollup, scope, ("topic_id", "correct", "total"))


ROLLUPS = (
    (ChannelRollup, channel_sums),
    (ReachRollup, reach_sums),
    (DayRollup, day_sums),
    (TopicRollup, topic_sums),
)
