from django.core.management.base import BaseCommand

from quizzes.services.answering import finalise_overdue_sheets


class Command(BaseCommand):
    help = "按已保存的答案为超时未交的答卷自动交卷（建议每分钟由 cron 运行一次）。"

    def handle(self, *args, **options):
        count = finalise_overdue_sheets()
        self.stdout.write(f"已自动交卷 {count} 份。")
