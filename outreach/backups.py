"""Backups of the live database and their restore: SQLite through its online backup API (a
consistent copy while the site keeps writing), PostgreSQL through pg_dump's custom format.

``fingerprint`` is what a restore drill compares: each table's row count and a checksum of its
rows, independent of row order, so two copies of one database agree exactly.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils.translation import gettext as _


def _sqlite_path(alias):
    name = connections[alias].settings_dict["NAME"]
    if not name or str(name).startswith(":memory:") or "mode=memory" in str(name):
        raise ImproperlyConfigured(_("内存中的 SQLite 数据库无法备份。"))
    return str(name)


def _postgres_command(program, alias):
    settings_dict = connections[alias].settings_dict
    if shutil.which(program) is None:
        raise ImproperlyConfigured(_("找不到 %(program)s，请安装 PostgreSQL 客户端工具。") % {"program": program})
    arguments = [program, "--no-password"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            arguments += [option, str(settings_dict[key])]
    # The password goes in the environment, never on a command line other users can list.
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = settings_dict["PASSWORD"]
    return arguments, env, settings_dict["NAME"]


def backup(*, path, alias="default"):
    """Write a copy of database ``alias`` to ``path`` (replaced if it exists)."""
    path = Path(path)
    vendor = connections[alias].vendor
    if vendor == "sqlite":
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        # A connection of its own: it copies what is committed, whatever the caller's transaction holds.
        source = sqlite3.connect(_sqlite_path(alias))
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        # Renamed only once complete, so ``path`` is never a half-written backup.
        partial.replace(path)
    elif vendor == "postgresql":
        arguments, env, name = _postgres_command("pg_dump", alias)
        subprocess.run([*arguments, "--format=custom", "--file", str(path), "--dbname", name], env=env, check=True)
    else:
        raise ImproperlyConfigured(_("不支持备份 %(vendor)s 数据库。") % {"vendor": vendor})
    return path


def restore(*, path, alias="default"):
    """Replace the contents of database ``alias`` with the backup at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    connection = connections[alias]
    vendor = connection.vendor
    connection.close()
    if vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_path(alias))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif vendor == "postgresql":
        arguments, env, name = _postgres_command("pg_restore", alias)
        subprocess.run(
            [*arguments, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname", name, str(path)],
            env=env,
            check=True,
        )
    else:
        raise ImproperlyConfigured(_("不支持恢复 %(vendor)s 数据库。") % {"vendor": vendor})


def fingerprint(*, alias="default", tables=None):
    """``{table: (rows, sha256)}`` for ``tables`` (default: every table of the database)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = sorted(tables or connection.introspection.table_names(cursor))
        result = {}
        for name in names:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")
            digests = sorted(hashlib.sha256(repr(row).encode()).digest() for row in cursor.fetchall())
            result[name] = (len(digests), hashlib.sha256(b"".join(digests)).hexdigest())
    return result
