"""Reports: the Markdown tables the benchmarks print, and the medians behind them."""

import statistics
from collections import Counter

from bench.contest_flow import CEILING, STEPS


def fmt(value, digits=1):
    return "–" if value is None else f"{value:.{digits}f}"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def combine(rounds):
    """Per step: medians over rounds of rps and percentiles; counts and errors summed."""
    combined = {}
    for name in (CEILING, *STEPS):
        summaries = [r["steps"][name] for r in rounds if r["steps"][name]["requests"]]
        if not summaries:
            continue
        errors = Counter()
        for s in summaries:
            errors.update(s["error_kinds"])
        combined[name] = {
            "requests": sum(s["requests"] for s in summaries),
            "errors": sum(s["errors"] for s in summaries),
            "error_kinds": dict(errors),
            **{key: median(s[key] for s in summaries) for key in ("rps", "p50", "p95", "p99", "max")},
            "rps_per_round": [s["rps"] for s in summaries],
        }
    return combined


def contest_tables(combined, rounds):
    """The step table and the CPU table (median per phase) of the combined rounds."""
    ceiling = combined.get(CEILING, {}).get("rps")
    lines = [
        "| step | requests | errors | req/s | × ceiling | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in combined.items():
        ratio = s["rps"] / ceiling if ceiling and s["rps"] else None
        lines.append(
            f"| {name} | {s['requests']} | {s['errors']} | {fmt(s['rps'], 0)} | {fmt(ratio, 2)} "
            f"| {fmt(s['p50'])} | {fmt(s['p95'])} | {fmt(s['p99'])} |"
        )
    cpu_lines = [
        "",
        "| phase | wall s | requests | gunicorn CPU s (system) | postgres CPU s | redis CPU s "
        "| server CPU ms/request | DB rows read/request | harness CPU s | others CPU s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in rounds[0]["cpu"]:
        rows = [r["cpu"][name] for r in rounds if name in r["cpu"]]
        for row in rows:
            server = row["gunicorn"] + row["postgres"] + row["redis"]
            row["server_ms_per_request"] = 1000 * server / row["requests"] if row["requests"] else None
            read = row.get("db_rows_scanned", 0) + row.get("db_rows_fetched", 0)
            row["db_rows_read_per_request"] = read / row["requests"] if row["requests"] else None

        def cell(key, digits=2, rows=rows):
            return fmt(median(row.get(key) for row in rows), digits)

        cells = [
            cell("wall"),
            cell("requests", 0),
            f"{cell('gunicorn')} ({cell('gunicorn_system')})",
            cell("postgres"),
            cell("redis"),
            cell("server_ms_per_request"),
            cell("db_rows_read_per_request", 0),
            cell("harness"),
            cell("others"),
        ]
        cpu_lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines + cpu_lines)


def contest_markdown(*, args, worker, code, combined, complete, rounds, warmup, integrity_reports):
    """The whole contest report: title, code fingerprint, tables, ratio, warm-up and integrity."""
    ratios = [r["answer_to_ceiling"] for r in complete]
    title = f"{args.participants} participants, {args.mode}, gunicorn {worker}, {len(complete)} rounds (medians)"
    lines = [
        f"### {title}\n",
        f"code {code['sha256']} (newest file {code['newest_file']}, {code['newest_mtime']}); "
        f"autosave URL {complete[0]['answer_url']}\n",
        f"{contest_tables(combined, complete)}\n",
        f"answer save / insert ceiling: **{fmt(median(ratios), 2)}×** (median of the rounds: "
        + ", ".join(fmt(r, 3) for r in ratios)
        + "; aim ≥ 0.5×)\n",
    ]
    if len(complete) < len(rounds):
        lines.append(f"{len(rounds) - len(complete)} round(s) aborted at the time bound, left out of the medians\n")
    warm_errors = {name: step["error_kinds"] for name, step in warmup.items() if step["errors"]}
    lines.append(
        f"warm-up ({min(8, args.participants)} participants, not in the table): errors {warm_errors or 'none'}\n"
    )
    lines.append("| integrity | " + " | ".join(integrity_reports) + " |")
    lines.append("| --- |" + " ---: |" * len(integrity_reports))
    for key in next(iter(integrity_reports.values())):
        lines.append(f"| {key} | " + " | ".join(str(r[key]) for r in integrity_reports.values()) + " |")
    return "\n".join(lines)


def http_table(title, results, ceiling="bare view (ceiling)"):
    """bench/http_bench.py's table: one row per target, its rate against the bare view's."""
    bare = results[ceiling]["rps"]
    lines = [
        f"### {title}",
        "",
        "| target | req/s (median) | × bare | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['rps']:.0f} | {r['rps'] / bare:.2f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
            f"| {r['errors']} |"
        )
    return "\n".join(lines)
