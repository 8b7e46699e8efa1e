import time

from django.core.management.base import BaseCommand

from core.periodic import enqueue_due_tasks, periodic_tasks


class Command(BaseCommand):
    help = "按 PERIODIC_TASKS 的间隔把定期任务（如超时答卷自动交卷）放入后台任务队列，由 worker 执行。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一次就退出（供 cron 或测试使用）。")
        parser.add_argument("--tick", type=float, default=5.0, help="两次检查之间的秒数（默认 5）。")

    def handle(self, *args, once, tick, **options):
        schedule = "，".join(f"{path} 每 {seconds} 秒" for path, _task, seconds in periodic_tasks())
        self.stdout.write(f"定期任务：{schedule or '无'}。")
        while True:
            for path in enqueue_due_tasks():
                self.stdout.write(f"已放入队列：{path}")
            if once:
                return
            time.sleep(tick)
