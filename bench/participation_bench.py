"""The participation reports at city scale on PostgreSQL: the admin dashboard, the 通报 .docx and
``participation.selectors.campaign_report`` over a generated ledger, at two sizes side by side.

For each size the script empties the ledger tables of its own database, builds a unit tree (the
city → 12 towns → N member units: schools, communities, enterprises, government bodies), one June
campaign, expected headcounts, a few topics, and the ledger written with
``ParticipationEntry.objects.bulk_create`` (not through ``services.record_participation``: bulk
inserts are fine for reading benchmarks): answer sheets with person keys
(``organizations.people.person_key``, some people answer twice), classes, scores and
``topic_results``, plus registrations, check-ins, recorded attendance and activities, all spread over
June. Then, in this process (django.setup on bench.settings, Django's test Client logged in as a
superuser), each target is run once to warm up and ``--rounds`` times timed; the median is reported
with the SQL query count and the time spent in them (an execute wrapper, on the warm-up run).
The slowest target at the largest size is then profiled with cProfile.

    make bench-participation
    .venv/bin/python -m bench.participation_bench [--units 100,1000] [--entries 200000] [--keep]

The reports read per-unit rollups (participation.models.ChannelRollup and friends) that the ledger
service keeps; the bulk-loaded ledger has none, so they are rebuilt once after generation
(``services.rebuild_rollups``, timed and reported). Side by side in the same run, the same
dashboard computed from the ledger itself (the path a date range takes, and what every report did
before the rollups) is the baseline; "write + dashboard" records one sheet through the service and
reads the city dashboard, so it pays the refresh of one stale unit.

``--entries`` is the number of answer sheets at 1,000 units (other sizes get proportionally many;
event entries are a tenth of that). The benchmark database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/outreach_bench_participation) is created and migrated here and
dropped at the end unless ``--keep``. Markdown on stdout, numbers in bench/out/participation_bench.json.
"""

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a file: import bench from the root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import psycopg  # noqa: E402

from bench import OUT  # noqa: E402
from bench.harness import bench_env, code_state, conninfo, database_name, ensure_database, manage  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/outreach_bench_participation"
TOWNS = 12
# Member units by kind, as shares of N (the rest of the city's tree is the city and its towns).
KIND_SHARES = (("school", 0.40), ("community", 0.35), ("enterprise", 0.20), ("government", 0.05))
# Answer sheets per unit relative to a community (schools answer most).
KIND_WEIGHT = {"school": 3.0, "community": 1.0, "enterprise": 0.8, "government": 0.5}
TOPICS = ("消防安全", "交通安全", "防溺水", "用电安全", "燃气安全", "防灾减灾", "食品安全", "危化品安全")
BATCH = 5000


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="100,1000", help="member unit counts, comma separated")
    parser.add_argument("--entries", type=int, default=200_000, help="answer sheets at 1,000 units (scaled)")
    parser.add_argument("--rounds", type=int, default=5, help="timed runs per target (after one warm-up)")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_PARTICIPATION_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--no-profile", action="store_true", help="skip the cProfile of the slowest target")
    parser.add_argument("--out", type=Path, default=OUT / "participation_bench.json")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    args.sizes = [int(part) for part in args.units.split(",") if part.strip()]
    if not args.sizes or min(args.sizes) < 10:
        parser.error("--units: each size must be at least 10")
    if "outreach_bench_participation" not in database_name(args.database_url) and not args.keep:
        parser.error("refusing to drop a database not named outreach_bench_participation*: pass --keep")
    return args


def _setup_django(database_url):
    env = bench_env(DATABASE_URL=database_url, CONN_MAX_AGE=0, PAGE_CACHE_SECONDS=0)
    ensure_database(database_url)
    t0 = time.perf_counter()
    manage(env, "migrate", "--noinput")
    migrate_s = time.perf_counter() - t0
    if not (OUT / "static" / "staticfiles.json").exists():  # the admin's manifest storage needs it
        manage(env, "collectstatic", "--noinput")
    os.environ.update(env)
    import django

    django.setup()
    return migrate_s


# Generation ---------------------------------------------------------------------------------


def _empty_tables():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE participation_participationentry, participation_activityreport, organizations_headcount, "
            "participation_channelrollup, participation_reachrollup, participation_dayrollup, "
            "participation_topicrollup, participation_stalerollup, "
            "organizations_campaign, organizations_unit, home_topic RESTART IDENTITY CASCADE"
        )


def _june_moment(rng, tz):
    day = datetime.date(2026, 6, 1) + datetime.timedelta(days=min(29, int(rng.triangular(0, 30, 12))))
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59)))
    return moment.replace(tzinfo=tz), day


def generate(units, sheets, events, rng):
    """The tree, campaign, headcounts, topics and ledger; returns (campaign, town, school, counts)."""
    from django.utils import timezone

    from home.models import Topic
    from organizations.models import AudienceGroup, Campaign, Headcount, Unit, audience_for_unit_kind
    from organizations.people import person_key
    from organizations.services import save_unit
    from participation.choices import Channel
    from participation.models import ParticipationEntry

    tz = timezone.get_current_timezone()
    _empty_tables()
    city = save_unit(unit=Unit(kind="city", name="莱西市"))
    towns = [save_unit(unit=Unit(kind="town", name=f"第{n + 1:02d}镇街", parent=city)) for n in range(TOWNS)]
    members = []
    for kind, share in KIND_SHARES:
        for n in range(round(units * share)):
            town = towns[n % TOWNS]
            members.append(Unit(kind=kind, name=f"{town.name}{kind}{n:04d}", parent=town, town=town))
    members = Unit.objects.bulk_create(members, batch_size=BATCH)
    campaign = Campaign.objects.create(
        name="2026年安全生产月", year=2026, theme="人人讲安全、个个会应急",
        starts_on=datetime.date(2026, 6, 1), ends_on=datetime.date(2026, 6, 30),
    )  # fmt: skip
    topics = [Topic.objects.create(name=name, slug=f"topic-{n}", sort_order=n) for n, name in enumerate(TOPICS)]
    topic_ids = [str(topic.pk) for topic in topics]

    weights = [KIND_WEIGHT[unit.kind] * rng.uniform(0.3, 1.7) for unit in members]
    total_weight = sum(weights)
    sheets_per_unit = [round(sheets * w / total_weight) for w in weights]
    headcounts = []
    for unit, unit_sheets in zip(members, sheets_per_unit, strict=True):
        if rng.random() < 0.05:
            continue  # about one unit in twenty has no headcount (no rate, "未填应参与人数")
        expected = max(10, round(unit_sheets / 1.15 * rng.uniform(0.8, 1.6)))
        headcounts.append(
            Headcount(unit=unit, campaign=campaign, audience=audience_for_unit_kind(unit.kind), expected=expected)
        )
    Headcount.objects.bulk_create(headcounts, batch_size=BATCH)

    entries = []
    written = 0
    serial = 0

    def flush(force=False):
        nonlocal entries, written
        if entries and (force or len(entries) >= BATCH):
            ParticipationEntry.objects.bulk_create(entries, batch_size=BATCH)
            written += len(entries)
            entries = []

    people_of = {}
    for unit, unit_sheets in zip(members, sheets_per_unit, strict=True):
        audience = audience_for_unit_kind(unit.kind)
        people = max(1, round(unit_sheets / 1.15))  # about 15 % of sheets are a second attempt
        keys = []
        for n in range(people):
            class_name = f"{1 + n % 6}年级{1 + (n // 6) % 8}班" if unit.kind == "school" else ""
            keys.append((person_key(unit_id=unit.pk, name=f"参与者{n}", class_name=class_name), class_name))
        people_of[unit.pk] = keys
        for n in range(unit_sheets):
            key, class_name = keys[n] if n < people else rng.choice(keys)
            occurred_at, occurred_on = _june_moment(rng, tz)
            results = {}
            score = 0
            for topic in rng.sample(topic_ids, 4):
                total = rng.choice((2, 3))
                correct = sum(rng.random() < 0.78 for _ in range(total))
                results[topic] = [correct, total]
            questions = sum(total for _correct, total in results.values())
            score = round(100 * sum(correct for correct, _total in results.values()) / questions)
            serial += 1
            entries.append(
                ParticipationEntry(
                    campaign=campaign, unit=unit, source=f"bench.sheet:{serial}", channel=Channel.CONTEST,
                    audience=audience, person_key=key, class_name=class_name, people=1,
                    occurred_at=occurred_at, occurred_on=occurred_on, score=score, max_score=100,
                    passed=score >= 60, full_marks=score == 100, topic_results=results,
                )
            )  # fmt: skip
            flush()

    # Event entries: registrations, individual check-ins (half of them by people who also answered),
    # recorded attendance and activities (counted, no key); 5 % of registrations/check-ins name no unit.
    for n in range(events):
        roll = rng.random()
        occurred_at, occurred_on = _june_moment(rng, tz)
        unit = rng.choice(members)
        audience = audience_for_unit_kind(unit.kind)
        people, key, class_name = 1, "", ""
        if roll < 0.45:
            channel = Channel.EVENT_REGISTRATION
        elif roll < 0.80:
            channel = Channel.EVENT_CHECKIN
        elif roll < 0.95:
            channel, people = Channel.EVENT_ATTENDANCE, rng.randint(10, 200)
        else:
            channel, people = Channel.ACTIVITY, rng.randint(50, 1200)
        if channel in (Channel.EVENT_REGISTRATION, Channel.EVENT_CHECKIN):
            if rng.random() < 0.05:
                unit, audience = None, AudienceGroup.RESIDENTS
                key = person_key(unit_id=0, name=f"公众{n}", phone=f"139{n:08d}")
            elif rng.random() < 0.5 and people_of[unit.pk]:
                key, class_name = rng.choice(people_of[unit.pk])
            else:
                key = person_key(unit_id=unit.pk, name=f"报名者{n}")
        serial += 1
        entries.append(
            ParticipationEntry(
                campaign=campaign, unit=unit, source=f"bench.event:{serial}", channel=channel, audience=audience,
                person_key=key, class_name=class_name, people=people, occurred_at=occurred_at,
                occurred_on=occurred_on, topic_results={},
            )
        )  # fmt: skip
        flush()
    flush(force=True)

    busiest = max(
        (pair for pair in zip(members, sheets_per_unit, strict=True) if pair[0].kind == "school"), key=lambda p: p[1]
    )
    return (
        campaign,
        towns[0],
        busiest[0],
        {"units": len(members) + TOWNS + 1, "headcounts": len(headcounts), "entries": written},
    )


def _vacuum_analyze(database_url):
    """Autovacuum may be off on the bench server: set the visibility map and statistics by hand,
    as a long-running database would have them."""
    with psycopg.connect(conninfo(database_url), autocommit=True) as conn:
        for table in (
            "participation_participationentry", "organizations_unit", "organizations_headcount",
            "participation_channelrollup", "participation_reachrollup", "participation_dayrollup",
            "participation_topicrollup",
        ):  # fmt: skip
            conn.execute(f"VACUUM ANALYZE {table}")


# Measurement --------------------------------------------------------------------------------


def _targets(campaign, town, school, client):
    import datetime as dt

    from django.utils import timezone

    from organizations.models import AudienceGroup
    from participation import selectors, services
    from participation.choices import Channel
    from participation.selectors import Filters

    def get(path):
        def run():
            response = client.get(path)
            if response.status_code != 200:
                raise RuntimeError(f"{path}: HTTP {response.status_code}")
            return len(response.content)

        return run

    def from_ledger():
        reads_ledger = selectors._reads_ledger
        selectors._reads_ledger = lambda filters: True
        try:
            return selectors.dashboard(campaign=campaign)
        finally:
            selectors._reads_ledger = reads_ledger

    writes = iter(range(10**6))

    def write_then_read():
        services.record_participation(
            source=f"bench.write:{next(writes)}", campaign=campaign, unit=school, channel=Channel.CONTEST,
            audience=AudienceGroup.STUDENTS, person_key=f"bench-writer-{next(writes)}", occurred_at=timezone.now(),
            score=80, max_score=100, passed=True, full_marks=False, topic_results={"1": [1, 2]},
        )  # fmt: skip
        return selectors.dashboard(campaign=campaign)

    base = f"/admin/participation/?campaign={campaign.pk}"
    first_half = Filters(date_from=dt.date(2026, 6, 1), date_to=dt.date(2026, 6, 15))
    return [
        ("dashboard, city", get(base)),
        (f"dashboard, town ({town.name})", get(f"{base}&unit={town.pk}")),
        ("dashboard, school (the busiest)", get(f"{base}&unit={school.pk}")),
        ("通报 page, city", get(f"/admin/participation/bulletin/?campaign={campaign.pk}")),
        ("通报 .docx, city", get(f"/admin/participation/bulletin.docx?campaign={campaign.pk}")),
        ("selectors.dashboard, city (no view)", lambda: selectors.dashboard(campaign=campaign)),
        ("selectors.campaign_report", lambda: selectors.campaign_report(campaign=campaign)),
        ("write one sheet + selectors.dashboard, city", write_then_read),
        ("baseline: selectors.dashboard, city, from the ledger", from_ledger),
        (
            "selectors.dashboard, city, 6月1日–15日 (ledger)",
            lambda: selectors.dashboard(campaign=campaign, filters=first_half),
        ),
    ]


class _QueryMeter:
    """Counts and times every SQL statement (an execute wrapper: unlike CaptureQueriesContext it
    survives the ``reset_queries`` that each test-client request triggers)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - t0


def measure(targets, rounds):
    from django.db import connection

    results = {}
    for name, run in targets:
        meter = _QueryMeter()
        with connection.execute_wrapper(meter):
            t0 = time.perf_counter()
            run()  # warm-up, counted
            warm_ms = 1000 * (time.perf_counter() - t0)
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            run()
            times.append(1000 * (time.perf_counter() - t0))
        results[name] = {
            "median_ms": statistics.median(times),
            "min_ms": min(times),
            "max_ms": max(times),
            "warmup_ms": warm_ms,
            "queries": meter.count,
            "sql_ms_warmup": 1000 * meter.seconds,
        }
        print(f"  {name}: {results[name]['median_ms']:.0f} ms, {results[name]['queries']} queries", file=sys.stderr)
    return results


def profile(run, limit=18):
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    text = {}
    for order in ("tottime", "cumulative"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats(order).print_stats(limit)
        text[order] = buffer.getvalue()
    return text


def _superuser_client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench-admin").first()
    if user is None:
        user = user_model.objects.create_superuser(username="bench-admin", email="bench@example.com", password=None)
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    return client


def markdown(runs, sizes):
    names = list(runs[sizes[0]]["results"])
    head = " | ".join(f"{size:,} units: ms (median) | queries | SQL ms" for size in sizes)
    lines = [f"| target | {head} | × ms |", "| --- |" + " ---: |" * (3 * len(sizes) + 1)]
    for name in names:
        cells = []
        for size in sizes:
            row = runs[size]["results"][name]
            cells += [f"{row['median_ms']:.0f}", str(row["queries"]), f"{row['sql_ms_warmup']:.0f}"]
        ratio = runs[sizes[-1]]["results"][name]["median_ms"] / max(runs[sizes[0]]["results"][name]["median_ms"], 1e-9)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio:.1f} |")
    gen = " · ".join(
        f"{size:,} units: {runs[size]['counts']['entries']:,} entries in {runs[size]['generate_s']:.1f} s, "
        f"rollups rebuilt in {runs[size]['rollup_s']:.1f} s"
        for size in sizes
    )
    return "\n".join(lines) + f"\n\nGeneration: {gen}\n"


def drop_database(database_url):
    name = database_name(database_url)
    from django.db import connections

    connections.close_all()
    with psycopg.connect(conninfo(database_url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"dropped database {name}", file=sys.stderr)


def main():
    args = _arguments()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    migrate_s = _setup_django(args.database_url)
    print(f"migrated in {migrate_s:.1f} s", file=sys.stderr)
    runs = {}
    worst = None
    try:
        client = _superuser_client()
        for size in args.sizes:
            sheets = round(args.entries * size / 1000)
            events = round(sheets / 10)
            t0 = time.perf_counter()
            campaign, town, school, counts = generate(size, sheets, events, rng)
            generate_s = time.perf_counter() - t0
            from participation import services

            t0 = time.perf_counter()
            services.rebuild_rollups(campaign=campaign)
            rollup_s = time.perf_counter() - t0
            _vacuum_analyze(args.database_url)
            print(f"{size} units: {counts} in {generate_s:.1f} s (+ VACUUM ANALYZE)", file=sys.stderr)
            targets = _targets(campaign, town, school, client)
            results = measure(targets, args.rounds)
            runs[size] = {
                "generate_s": generate_s,
                "rollup_s": rollup_s,
                "counts": counts,
                "sheets": sheets,
                "events": events,
                "results": results,
            }
            if size == args.sizes[-1] and not args.no_profile:
                name, run = max(targets, key=lambda target: results[target[0]]["median_ms"])
                worst = {"target": name, "size": size, **profile(run)}
        table = markdown(runs, args.sizes)
        print(table)
        if worst:
            print(f"cProfile of {worst['target']} at {worst['size']} units (tottime):\n{worst['tottime']}")
            print(f"(cumulative):\n{worst['cumulative']}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps(
                {
                    "sizes": args.sizes,
                    "runs": {str(size): run for size, run in runs.items()},
                    "profile": worst,
                    "code": code_state(("participation", "organizations", "bench")),
                    "total_s": time.perf_counter() - started,
                    "migrate_s": migrate_s,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        print(f"total {time.perf_counter() - started:.0f} s; numbers in {args.out}", file=sys.stderr)
    finally:
        if not args.keep:
            drop_database(args.database_url)


if __name__ == "__main__":
    main()
