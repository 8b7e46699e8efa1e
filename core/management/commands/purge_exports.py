from django.core.management.base import BaseCommand

from core.exports import EXPORT_RETENTION, purge_expired_exports


class Command(BaseCommand):
    help = "删除超过保留期的导出文件（导出任务的 worker 每次运行前也会删除）。"

    def handle(self, *args, **options):
        deleted = purge_expired_exports()
        self.stdout.write(f"已删除 {deleted} 个超过 {EXPORT_RETENTION.days} 天的导出。")
