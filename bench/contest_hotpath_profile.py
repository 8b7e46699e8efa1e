"""Where a contest start and a submit spend their time: pyinstrument over N starts and N submits
made in this process with Django's test client, on the bench database (bench.settings, the same
PostgreSQL and Redis as bench/contest_load.py; run that once first to set them up).

    .venv/bin/python -m bench.contest_hotpath_profile [--participants 30] [--database-url …]

Prints, for each step, the milliseconds per request and the functions with the most time
(pyinstrument's own text, cut to the frames over 2 %), for bench/RESULTS.md.
"""

import argparse
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import ROOT  # noqa: E402
from bench.contest_flow import CONTEST_PATH, INPUT_RE  # noqa: E402
from bench.contest_load import DEFAULT_REDIS_URL  # noqa: E402
from bench.harness import active_school_ids, bench_env  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/outreach_bench_contest_new"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args()
    os.environ.update(bench_env(DATABASE_URL=args.database_url, REDIS_URL=args.redis_url))
    os.environ["RATELIMIT_ENABLE"] = "0"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from pyinstrument import Profiler

    settings.RATELIMIT_ENABLE = False  # a profile of the work, not of the limits
    school = active_school_ids(args.database_url)[0]
    tag = time.strftime("prof%H%M%S")
    clients = []
    for index in range(args.participants + 1):
        client = Client(HTTP_HOST="127.0.0.1")
        data = {"unit": school, "name": f"剖析{index:03d}", "class_name": tag, "age_band": "under14"}
        assert client.post(CONTEST_PATH + "identify/", {**data, "guardian_consent": "on"}).status_code == 302
        clients.append(client)
    warm, *clients = clients

    def start(client):
        response = client.post(CONTEST_PATH + "start/")
        assert response.status_code == 302, response.status_code
        return response["Location"]

    def answered_form(client, sheet_url):
        html = client.get(sheet_url).content.decode()
        form = {"action": "submit"}
        for _kind, position, choice_id in INPUT_RE.findall(html):
            form.setdefault(f"q{position}", str(choice_id))
        return form

    def submit(client, sheet_url, form):
        response = client.post(sheet_url, form)
        assert response.status_code == 302, response.status_code

    warm_url = start(warm)  # imports, connections, the blueprint: not in the profile
    submit(warm, warm_url, answered_form(warm, warm_url))

    def profiled(name, calls):
        profiler = Profiler(interval=0.0005)
        started = time.perf_counter()
        profiler.start()
        results = [call() for call in calls]
        profiler.stop()
        per_request = 1000 * (time.perf_counter() - started) / len(calls)
        print(f"\n## {name}: {per_request:.1f} ms per request ({len(calls)} requests, one process)\n")
        print(profiler.output_text(unicode=False, color=False, show_all=False, time="percent_of_total"))
        return results

    sheet_urls = profiled("start", [lambda client=client: start(client) for client in clients])
    forms = [answered_form(client, url) for client, url in zip(clients, sheet_urls, strict=True)]
    profiled(
        "submit",
        [
            lambda client=client, url=url, form=form: submit(client, url, form)
            for client, url, form in zip(clients, sheet_urls, forms, strict=True)
        ],
    )


if __name__ == "__main__":
    main()
