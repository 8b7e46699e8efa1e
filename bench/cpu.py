"""The CPU meter: CPU seconds per process group over one phase of a benchmark, read from /proc
(Linux only), and what the bench database saw meanwhile (pg_stat_database)."""

import asyncio
import os
import resource
import time

import psycopg

from bench.harness import conninfo, database_name


class CpuMeter:
    """CPU seconds used by gunicorn (its process group), the PostgreSQL backends of the bench
    database, Redis, this harness and everything else on the machine, over one phase.

    Processes are sampled every second while the phase runs, so a PostgreSQL backend that exits
    meanwhile (Django drops a connection older than CONN_MAX_AGE) still counts."""

    GROUPS = ("gunicorn", "postgres", "redis", "harness")

    def __init__(self, server_pgid, database_url):
        self.server_pgid = server_pgid
        self.dbname = database_name(database_url)
        self.tick = os.sysconf("SC_CLK_TCK")
        self.conn = psycopg.connect(conninfo(database_url), autocommit=True)

    def _processes(self):
        found = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    stat = f.read()
                comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                fields = stat[stat.rindex(")") + 2 :].split()
                cpu = (int(fields[11]) / self.tick, int(fields[12]) / self.tick)  # user, system
                if int(fields[2]) == self.server_pgid:
                    group = "gunicorn"
                elif comm == "redis-server":
                    group = "redis"
                elif comm == "postgres":
                    with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                        if f" {self.dbname} ".encode() not in f.read():
                            continue
                    group = "postgres"
                else:
                    continue
                found[(group, entry.name, fields[19])] = cpu  # (group, pid, start time)
            except (OSError, ValueError, IndexError):
                continue
        return found

    def _machine(self):
        usage = resource.getrusage(resource.RUSAGE_SELF)
        with open("/proc/stat") as f:
            cpu = [int(value) for value in f.readline().split()[1:]]
        # user nice system idle iowait irq softirq steal: all but idle and iowait is busy.
        return usage.ru_utime + usage.ru_stime, (sum(cpu[:8]) - cpu[3] - cpu[4]) / self.tick

    async def _poll(self):
        while True:
            await asyncio.sleep(1)
            self.latest.update(self._processes())

    def _database(self):
        """Transactions and rows the bench database has seen (pg_stat_database; flushed by the
        backends at least once a second, so close enough over a phase of several seconds)."""
        row = self.conn.execute(
            "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched, tup_inserted + tup_updated + tup_deleted "
            "FROM pg_stat_database WHERE datname = %s",
            [self.dbname],
        ).fetchone()
        return dict(zip(("db_transactions", "db_rows_scanned", "db_rows_fetched", "db_rows_written"), row, strict=True))

    def start(self):
        self.database = self._database()
        self.baseline = self._processes()
        self.latest = dict(self.baseline)
        self.machine = self._machine()
        self.wall = time.monotonic()
        self.poller = asyncio.get_running_loop().create_task(self._poll())

    def stop(self):
        self.poller.cancel()
        self.latest.update(self._processes())
        harness, busy = (after - before for after, before in zip(self._machine(), self.machine, strict=True))
        result = dict.fromkeys(self.GROUPS, 0.0)
        gunicorn_system = 0.0
        for key, (user, system) in self.latest.items():
            user_before, system_before = self.baseline.get(key, (0.0, 0.0))
            result[key[0]] += user - user_before + system - system_before
            if key[0] == "gunicorn":
                gunicorn_system += system - system_before
        result["harness"] = harness
        # Anything else on the machine meanwhile: other people's jobs, the kernel.
        result["others"] = max(0.0, busy - sum(result.values()))
        result["wall"] = time.monotonic() - self.wall
        result["gunicorn_system"] = gunicorn_system
        result = {name: round(value, 2) for name, value in result.items()}
        time.sleep(1.1)  # let the backends flush their statistics
        result.update({name: value - self.database[name] for name, value in self._database().items()})
        return result
