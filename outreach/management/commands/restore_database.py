"""Replace the database's contents with a backup made by ``backup_database``. Stop the site (and
the task workers) first: restoring under running writers mixes their writes into the copy.

    python manage.py restore_database /var/backups/outreach/2026-06-01.sqlite3 --yes
"""

import subprocess

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from outreach import backups


class Command(BaseCommand):
    help = "用备份文件替换数据库的全部内容（请先停止网站和后台任务）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="backup_database 写出的备份文件")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="数据库别名（默认 default）")
        parser.add_argument("--yes", action="store_true", help="不再确认，直接覆盖")

    def handle(self, *args, path, database, yes, **options):
        prompt = _("数据库“%(alias)s”的全部内容将被 %(path)s 替换。输入 yes 继续：") % {"alias": database, "path": path}
        if not yes and input(prompt) != "yes":
            raise CommandError(_("已取消。"))
        try:
            backups.restore(path=path, alias=database)
        except (ImproperlyConfigured, OSError, subprocess.CalledProcessError) as error:
            raise CommandError(str(error)) from error
        tables = backups.fingerprint(alias=database)
        rows = sum(count for count, _digest in tables.values())
        self.stdout.write(
            self.style.SUCCESS(_("已恢复：%(tables)d 张表，共 %(rows)d 行。") % {"tables": len(tables), "rows": rows})
        )
