"""Copy the live database to a file while the site keeps running.

python manage.py backup_database /var/backups/outreach/2026-06-01.sqlite3   # SQLite
python manage.py backup_database /var/backups/outreach/2026-06-01.dump      # PostgreSQL (pg_dump -Fc)
"""

import subprocess

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from outreach import backups


class Command(BaseCommand):
    help = "备份数据库（SQLite 在线备份 / PostgreSQL pg_dump 自定义格式）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="备份文件路径（已存在则覆盖）")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名（默认 default）")

    def handle(self, *args, path, database, **options):
        try:
            written = backups.backup(path=path, alias=database)
        except (ImproperlyConfigured, OSError, subprocess.CalledProcessError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("已备份到 %(path)s（%(size)d 字节）。") % {"path": written, "size": written.stat().st_size}
            )
        )
