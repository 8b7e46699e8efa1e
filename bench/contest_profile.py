"""An answer save taken apart (``contest_load.py --profile``): in this process, with Django's test
client (no HTTP server, no gunicorn; the same settings, database and Redis), its SQL and Redis
commands against the ceiling view's, the whole request timed, and the parts of the save one by one.

The flow goes through the site's URLs like the load does. Only the part timings call into quizzes
(the participant lookup and the save service).
"""

import os
import sys
import time

from bench import ROOT
from bench.contest_flow import ANSWER_URL_RE, CEILING_PATH, CONTEST_PATH, INPUT_RE, UUID_RE
from bench.harness import active_school_ids


def profile_saves(args, *, env, tag, budget, participants=10, repeat=100):
    """Where one answer save spends its time, in this process with Django's test client (no HTTP,
    no gunicorn; the same settings, database and Redis): its SQL and Redis commands, the whole
    request against the ceiling view, and the parts of the save timed one by one."""
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import redis
    from django.db import connection, transaction
    from django.test import Client, RequestFactory
    from wagtail.models import Page, Site

    from quizzes.participant_cookie import participant_token
    from quizzes.selectors import participant_by_token
    from quizzes.services.answering import save_answers

    def participant_from_request(request):
        return participant_by_token(token=participant_token(request))

    plan = {"start": participants, "save": participants * args.questions}
    time.sleep(budget.wait_for(plan))
    budget.record("start", [time.monotonic()] * participants)
    budget.record("save", [time.monotonic()] * participants * args.questions)
    schools = active_school_ids(args.database_url)
    saves = []  # (client, answer URL, position, [choice ids of the question])
    for index in range(participants):
        client = Client(HTTP_HOST="127.0.0.1")  # one per participant: a new Client re-instantiates the middleware
        data = {"unit": schools[0], "name": f"剖析{index:03d}", "class_name": tag, "age_band": "under14"}
        client.post(CONTEST_PATH + "identify/", {**data, "guardian_consent": "on"})
        sheet_url = client.post(CONTEST_PATH + "start/")["Location"]
        html = client.get(sheet_url).content.decode()
        answer_url = ANSWER_URL_RE.search(html).group(1)
        questions = {}
        for _kind, position, choice_id in INPUT_RE.findall(html):
            questions.setdefault(int(position), []).append(int(choice_id))
        saves += [(client, answer_url, position, ids) for position, ids in sorted(questions.items())]

    def save(item):
        client, url, position, ids = item
        payload = {"position": position, "choices": ids[:1]}
        response = client.post(url, payload, content_type="application/json", HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content

    insert_client = Client(HTTP_HOST="127.0.0.1")

    def insert(number):
        response = insert_client.post(CEILING_PATH, {"run": tag, "n": number}, content_type="application/json")
        assert response.status_code == 200, response.content

    sql, commands = [], []

    def log_sql(execute, statement, params, many, context):
        sql.append(statement[:150])
        return execute(statement, params, many, context)

    execute_command = redis.Redis.execute_command

    def log_redis(self, *command, **options):
        commands.append(" ".join(str(part) for part in command[:2])[:60])
        return execute_command(self, *command, **options)

    insert(0)
    redis.Redis.execute_command = log_redis
    try:
        with connection.execute_wrapper(log_sql):
            save(saves[0])
            save_sql, save_redis, sql[:], commands[:] = list(sql), list(commands), [], []
            insert(1)
            insert_sql, insert_redis = list(sql), list(commands)
    finally:
        redis.Redis.execute_command = execute_command

    def mean_ms(call, items):
        started = time.monotonic()
        for item in items:
            call(item)
        return 1000 * (time.monotonic() - started) / len(items)

    full_save = mean_ms(save, saves[1:])
    full_insert = mean_ms(insert, range(2, 2 + len(saves)))

    # The parts of one save, each on its own (the save alternates between two choices so that
    # every call writes).
    client, answer_url, position, ids = saves[0]
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    factory = RequestFactory(HTTP_HOST="127.0.0.1")

    def request():
        req = factory.post(answer_url, b"{}", content_type="application/json")
        req.COOKIES.update(cookies)
        return req

    public_id = answer_url.rstrip("/").split("/")[-2]
    choices = [ids[:1], ids[1:2] or ids[:1]]
    parts = {}
    if answer_url.startswith(CONTEST_PATH):  # the autosave is routed through Wagtail's page tree
        parts["Site.find_for_request"] = mean_ms(lambda _i: Site.find_for_request(request()), range(repeat))
        parts["Page.route_for_request (site, page tree, .specific)"] = mean_ms(
            lambda _i: Page.route_for_request(request(), answer_url), range(repeat)
        )
    participant = participant_from_request(request())
    parts["participant from the signed cookie (1 query)"] = mean_ms(
        lambda _i: participant_from_request(request()), range(repeat)
    )
    parts["services.answering.save_answers (transaction, lock, read, update)"] = mean_ms(
        lambda i: save_answers(public_id=public_id, participant=participant, answers={position: choices[i % 2]}),
        range(repeat),
    )
    parts["the rest: middleware, 2 rate limits (Redis), JSON in and out"] = full_save - sum(parts.values())
    with connection.cursor() as cursor:

        def raw_insert(_i):
            with transaction.atomic():
                cursor.execute(
                    "INSERT INTO bench_ceiling (payload, created_at) VALUES (%s::jsonb, now())", ['{"run": "x"}']
                )

        parts["raw INSERT in a transaction (no HTTP, no middleware)"] = mean_ms(raw_insert, range(repeat))
        cursor.execute("DELETE FROM bench_ceiling WHERE payload->>'run' = 'x'")
    return {
        "answer_url": UUID_RE.sub("<uuid>", answer_url),
        "answer_save_sql": save_sql,
        "answer_save_redis": save_redis,
        "insert_sql": insert_sql,
        "insert_redis": insert_redis,
        "in_process_ms": {"answer save (whole request)": round(full_save, 2), "insert view": round(full_insert, 2)},
        "answer_save_parts_ms": {name: round(ms, 2) for name, ms in parts.items()},
    }


def profile_steps(*, participants=30, top=15):
    """Start, answer save and submit each taken apart in this process with Django's test client:
    queries per request (counted by step, and the SQL of the first) and cProfile's top functions
    over ``participants`` requests of each step. Run on an already set-up bench database:

        PYTHONPATH=<checkout> python bench/contest_profile.py --database-url postgres://…/db --redis-url redis://…/12

    (PYTHONPATH names the checkout whose code is profiled: the bench package comes from there too.)
    """
    import cProfile
    import io
    import pstats

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.harness import active_school_ids as schools_of

    schools = schools_of(os.environ["DATABASE_URL"])
    tag = time.strftime("prof%m%d%H%M%S")
    clients = []
    for index in range(participants):
        client = Client(HTTP_HOST="127.0.0.1")
        data = {"unit": schools[index % len(schools)], "name": f"剖析{index:03d}", "class_name": tag}
        client.post(CONTEST_PATH + "identify/", {**data, "age_band": "under14", "guardian_consent": "on"})
        clients.append({"client": client})
    report = {}

    def step(name, call):
        profiler = cProfile.Profile()
        counts = []
        first_sql = None
        started = time.monotonic()
        for item in clients:
            with CaptureQueriesContext(connection) as queries:
                profiler.enable()
                call(item)
                profiler.disable()
            counts.append(len(queries))
            if first_sql is None:
                first_sql = [q["sql"][:160] for q in queries.captured_queries]
        elapsed = 1000 * (time.monotonic() - started) / len(clients)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(top)
        out.write("\n")
        stats.sort_stats("cumulative").print_stats(top)
        report[name] = {
            "ms_per_request_in_process": round(elapsed, 2),
            "queries_per_request": sorted(set(counts)),
            "sql_of_first": first_sql,
            "profile": out.getvalue(),
        }

    def start(item):
        response = item["client"].post(CONTEST_PATH + "start/")
        assert response.status_code == 302, response.status_code
        item["sheet_url"] = response["Location"]
        html = item["client"].get(item["sheet_url"]).content.decode()
        item["answer_url"] = ANSWER_URL_RE.search(html).group(1)
        item["questions"] = {}
        for _kind, position, choice_id in INPUT_RE.findall(html):
            item["questions"].setdefault(int(position), []).append(int(choice_id))

    def start_only(item):
        response = item["client"].post(CONTEST_PATH + "start/")
        assert response.status_code == 302, response.status_code
        item["sheet_url"] = response["Location"]

    def sheet_page(item):
        html = item["client"].get(item["sheet_url"]).content.decode()
        item["answer_url"] = ANSWER_URL_RE.search(html).group(1)
        item["questions"] = {}
        for _kind, position, choice_id in INPUT_RE.findall(html):
            item["questions"].setdefault(int(position), []).append(int(choice_id))

    def save(item):
        position, ids = sorted(item["questions"].items())[0]
        response = item["client"].post(
            item["answer_url"],
            {"position": position, "choices": ids[:1]},
            content_type="application/json",
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 200, response.content

    def submit(item):
        form = {"action": "submit"}
        form.update({f"q{position}": [str(ids[0])] for position, ids in item["questions"].items()})
        response = item["client"].post(item["sheet_url"], form)
        assert response.status_code == 302 and "result" in response["Location"], response.status_code

    step("start", start_only)
    step("sheet page", sheet_page)
    step("save", save)
    step("submit", submit)
    return report


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="start, save and submit taken apart in-process")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--top", type=int, default=15)
    options = parser.parse_args()
    os.chdir(ROOT)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=options.database_url,
        REDIS_URL=options.redis_url,
        SECRET_KEY=os.environ.get("SECRET_KEY", "contest-profile-only"),
        LOG_LEVEL="WARNING",
    )
    result = profile_steps(participants=options.participants, top=options.top)
    for name, part in result.items():
        print(f"## {name}: {part['ms_per_request_in_process']} ms in-process, queries {part['queries_per_request']}")
        print("\n".join(part["sql_of_first"]))
        print(part["profile"])
