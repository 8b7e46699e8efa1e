"""Search latency at city scale: /search/ on a generated corpus of articles, baseline vs new.

Builds the corpus in bulk (10,000 articles on SQLite and on PostgreSQL, 100,000 on PostgreSQL
with ``--sizes``) in the bench's own databases, then serves it with gunicorn (2 workers,
bench.settings: production, DEBUG off) from the new tree and from a baseline tree, and loads
``/search/?q=…`` with wrk at 1 and 8 connections for 燃气, 安全 and a query of four words.
Rounds interleave baseline and new; medians are reported, with the ratio.

The baseline runs on a copy of the same corpus (a copied SQLite file, a PostgreSQL database
made from the new one as a template) without this tree's GIN index on ``title || body``.
A baseline request slower than wrk's timeout is timed on its own instead (one request).

    .venv/bin/python -m bench.search_bench --baseline /tmp/baseline_tree [--sizes sqlite:10000 pg:10000 pg:100000]

Needs wrk and PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/searchbench).
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

if __package__ in (None, ""):  # run as a file: import bench from the root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import OUT, ROOT, harness  # noqa: E402
from bench.harness import Gunicorn, bench_env, conninfo, ensure_database, free_port, manage  # noqa: E402

QUERIES = {"燃气": "燃气", "安全": "安全", "4 words": "燃气 泄漏 关闭 阀门"}
GIN_INDEX = "search_indexentry_title_body_gin"
SLOW_SECONDS = 5  # wrk's timeout: a slower baseline is timed one request at a time
GIVE_UP_SECONDS = 60  # a request slower than this is recorded as "> 60 s"

# What the articles say: 安全 in about nine articles in ten, 燃气 in about a third, the four words
# of the long query together in about one in fifty; the rest is filler of a varied vocabulary.
SAFETY = ["企业要落实安全生产主体责任。", "夏季高温，注意用电安全。", "校园周边交通安全隐患排查整治持续推进。"]
GAS = ["燃气灶具使用完毕后要及时检查。", "居民用燃气要定期检查软管是否老化。", "燃气公司上门入户开展检查。"]
FOUR_WORDS = "发现燃气泄漏，应立即关闭阀门并开窗通风。"
SUBJECTS = ["街道办事处", "社区网格员", "志愿者", "消防救援站", "中心学校", "企业负责人", "物业公司", "村委会"]
SUBJECTS += ["应急管理局", "派出所民警", "卫生院医生", "供电所职工", "交警中队", "宣传科", "镇政府", "居民代表"]
VERBS = ["组织开展", "认真学习", "督促落实", "集中排查", "走访讲解", "现场演示", "广泛宣传", "专题部署"]
OBJECTS = ["防汛抗旱知识", "交通法规", "急救技能", "森林防火要求", "用电常识", "地震避险方法", "防溺水教育"]
OBJECTS += ["反诈宣传", "危化品管理规定", "有限空间作业规程", "脚手架搭设标准", "灭火器使用方法", "疏散演练"]


def _paragraph(rng):
    sentences = [f"{rng.choice(SUBJECTS)}{rng.choice(VERBS)}{rng.choice(OBJECTS)}。" for _ in range(rng.randint(4, 7))]
    return "".join(sentences)


def _article_text(rng):
    paragraphs = [_paragraph(rng) for _ in range(rng.randint(4, 8))]
    if rng.random() < 0.9:
        paragraphs[rng.randrange(len(paragraphs))] += rng.choice(SAFETY)
    if rng.random() < 0.33:
        paragraphs[rng.randrange(len(paragraphs))] += rng.choice(GAS)
    if rng.random() < 0.02:
        paragraphs[rng.randrange(len(paragraphs))] += FOUR_WORDS
    return paragraphs


def _database_url(dbname):
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/searchbench")
    return base.rsplit("/", 1)[0] + "/" + dbname


def _env(tree, backend, name):
    overrides = {"PAGE_CACHE_SECONDS": 0, "PYTHONPATH": tree}
    if backend == "sqlite":
        overrides["SQLITE_PATH"] = f"/tmp/{name}.sqlite3"
    else:
        overrides["DATABASE_URL"] = _database_url(name)
    env = bench_env(**overrides)
    if backend == "sqlite":
        env.pop("DATABASE_URL", None)
    return env


# The corpus, built inside a Django process on the new tree


def build_corpus(count):
    """``count`` live articles under one column of the default site: pages inserted in bulk
    (treebeard paths computed here), then indexed with the configured search backend."""
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Page, Site
    from wagtail.search.backends import get_search_backend

    from home.factories import ColumnIndexPageFactory, paragraphs_to_body
    from home.models import ArticlePage

    rng = random.Random(12)
    root = Site.objects.get(is_default_site=True).root_page
    column = ColumnIndexPageFactory(parent=root, title="搜索基准专栏", slug="searchbench")
    content_type = ContentType.objects.get_for_model(ArticlePage)
    now = timezone.now()
    started = time.monotonic()
    batch = 2000
    for first in range(0, count, batch):
        pages, articles = [], []
        for n in range(first, min(first + batch, count)):
            paragraphs = _article_text(rng)
            slug = f"searchbench-{n}"
            article = ArticlePage(
                title=f"{rng.choice(OBJECTS)}宣传报道第{n}篇",
                slug=slug,
                summary=_paragraph(rng)[:120],
                body=paragraphs_to_body(paragraphs),
                source="莱西市应急管理局",
                editor="王晓丽",
                publish_date=datetime_date(n),
            )
            page = Page(
                title=article.title,
                draft_title=article.title,
                slug=slug,
                content_type=content_type,
                locale_id=column.locale_id,
                path=Page._get_path(column.path, column.depth + 1, n + 1),
                depth=column.depth + 1,
                numchild=0,
                url_path=f"{column.url_path}{slug}/",
                live=True,
                first_published_at=now,
                last_published_at=now,
            )
            pages.append(page)
            articles.append(article)
        with transaction.atomic():
            Page.objects.bulk_create(pages)
            for page, article in zip(pages, articles, strict=True):
                article.page_ptr_id = page.pk
            ArticlePage._base_manager._insert(articles, fields=ArticlePage._meta.local_concrete_fields)
    Page.objects.filter(pk=column.pk).update(numchild=count)
    created = time.monotonic() - started

    started = time.monotonic()
    backend = get_search_backend()
    backend.add_bulk(ColumnIndexPageFactory._meta.model, [column])
    ids = list(ArticlePage.objects.filter(path__startswith=column.path).values_list("pk", flat=True))
    for first in range(0, len(ids), 1000):
        chunk = ArticlePage.objects.filter(pk__in=ids[first : first + 1000]).prefetch_related("topics")
        backend.add_bulk(ArticlePage, list(chunk))
    indexed = time.monotonic() - started
    print(json.dumps({"articles": count, "create_s": round(created, 1), "index_s": round(indexed, 1)}))


def datetime_date(n):
    import datetime

    return datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 700)


def _prepare(backend, size, *, reuse):
    """Build the corpus once (new tree), and its baseline copy without the GIN index."""
    new, base = f"searchbench_{backend}_{size}_new", f"searchbench_{backend}_{size}_base"
    env = _env(str(ROOT), backend, new)
    info = {}
    if reuse:
        return {"new": new, "base": base, "reused": True}
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"/tmp/{new}.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        with psycopg.connect(conninfo(env["DATABASE_URL"], "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{new}"')
            conn.execute(f'DROP DATABASE IF EXISTS "{base}"')
        ensure_database(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "bench.search_bench", "--build", str(size)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    info.update(json.loads(out.stdout.strip().splitlines()[-1]))
    info["build_total_s"] = round(time.monotonic() - started, 1)
    if backend == "sqlite":
        subprocess.run(["sqlite3", f"/tmp/{new}.sqlite3", "PRAGMA wal_checkpoint(TRUNCATE);"], check=True)
        shutil.copy(f"/tmp/{new}.sqlite3", f"/tmp/{base}.sqlite3")
    else:
        with psycopg.connect(conninfo(env["DATABASE_URL"]), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")  # the pages too: bulk inserts leave the planner no statistics
            # How long the new index takes to build on this corpus, then a baseline copy without it.
            conn.execute(f"DROP INDEX {GIN_INDEX}")
        with psycopg.connect(conninfo(env["DATABASE_URL"], "postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{base}" TEMPLATE "{new}"')
        with psycopg.connect(conninfo(env["DATABASE_URL"]), autocommit=True) as conn:
            started = time.monotonic()
            conn.execute(f"CREATE INDEX {GIN_INDEX} ON wagtailsearch_indexentry USING gin ((title || body))")
            info["gin_index_s"] = round(time.monotonic() - started, 1)
            conn.execute("ANALYZE")
    return {"new": new, "base": base, **info}


def _wrk(url, *, duration, connections):
    result = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", f"{SLOW_SECONDS}s"]
        + ["-s", str(ROOT / "bench" / "report.lua"), url],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _cpu_seconds(pgid):
    """CPU seconds of gunicorn's process group so far (/proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _first_request(server, query):
    """Seconds for one request (which also warms the worker up), None past GIVE_UP_SECONDS."""
    url = f"{server.base_url}/search/?{httpx.QueryParams(q=query)}"
    started = time.monotonic()
    try:
        response = httpx.get(url, timeout=GIVE_UP_SECONDS)
    except httpx.TimeoutException:
        return None
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return time.monotonic() - started


def _measure(server, query, connections, duration):
    url = f"{server.base_url}/search/?{httpx.QueryParams(q=query)}"
    cpu = _cpu_seconds(server.pid)
    result = _wrk(url, duration=duration, connections=connections)
    result["cpu_ms"] = (_cpu_seconds(server.pid) - cpu) * 1000 / max(result["requests"], 1)
    return result


def _median(values):
    values = list(values)
    return None if None in values else statistics.median(values)


def run(backend, size, *, baseline, rounds, duration, out, reuse):
    names = _prepare(backend, size, reuse=reuse)
    print(f"{backend} {size}: {names}", file=sys.stderr, flush=True)
    results = {(variant, q, c): [] for variant in ("base", "new") for q in QUERIES for c in (1, 8)}
    trees = {"base": baseline, "new": str(ROOT)}
    for _ in range(rounds):
        for variant in ("base", "new"):
            # gunicorn puts its working directory first on sys.path: start it in the tree to measure.
            env = _env(trees[variant], backend, names[variant])
            harness.ROOT = Path(trees[variant])
            extra = ["--timeout", str(GIVE_UP_SECONDS + 60)]
            with Gunicorn(env, port=free_port(), workers=2, extra=extra) as server:
                for name, query in QUERIES.items():
                    if any(r.get("slow") for r in results[(variant, name, 1)]):
                        continue  # a request of many seconds: once is enough
                    seconds = _first_request(server, query)
                    if seconds is None or seconds > SLOW_SECONDS:
                        ms = seconds and seconds * 1000
                        slow = {"p50": ms, "p95": ms, "rps": seconds and 1 / seconds, "cpu_ms": None, "slow": True}
                        results[(variant, name, 1)].append(slow)
                        print(variant, name, slow, file=sys.stderr, flush=True)
                        continue
                    for connections in (1, 8):
                        done = results[(variant, name, connections)]
                        done.append(_measure(server, query, connections, duration))
                        print(variant, name, connections, done[-1], file=sys.stderr, flush=True)
    harness.ROOT = ROOT
    table = {
        "/".join(map(str, key)): {
            "p50": _median(r["p50"] for r in runs),
            "p95": _median(r["p95"] for r in runs),
            "rps": _median(r["rps"] for r in runs),
            "cpu_ms": _median(r["cpu_ms"] for r in runs),
            "slow": any(r.get("slow") for r in runs),
            "rounds": len(runs),
        }
        for key, runs in results.items()
        if runs
    }
    out[f"{backend}:{size}"] = {"corpus": names, "results": table}
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # internal: build the corpus here
    parser.add_argument("--baseline", help="a work tree of the baseline commit (with .venv linked)")
    parser.add_argument("--sizes", nargs="+", default=["sqlite:10000", "pg:10000"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--reuse", nargs="*", default=[], help="sizes whose corpus is already built")
    args = parser.parse_args()
    if args.build:
        build_corpus(args.build)
        return
    if not args.baseline:
        sys.exit("--baseline: a work tree of the baseline commit")
    OUT.mkdir(exist_ok=True)
    report = {}
    for spec in args.sizes:
        backend, size = spec.split(":")
        run(
            backend,
            int(size),
            baseline=args.baseline,
            rounds=args.rounds,
            duration=args.duration,
            out=report,
            reuse=spec in args.reuse,
        )
        (OUT / "search_bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
