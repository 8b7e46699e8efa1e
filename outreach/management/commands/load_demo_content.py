import os

from django.core.management.base import BaseCommand

from home.demo.loader import DEMO_USERS
from outreach.demo import load_demo_content


class Command(BaseCommand):
    help = "加载中文演示内容（可重复运行，不会产生重复内容）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_ADMIN_PASSWORD", "anquan-2026"),
            help="演示账号的初始密码（仅在新建账号时使用）。",
        )
        parser.add_argument(
            "--sheets", type=int, default=3000, help="为尚无答卷的答卷活动模拟的答卷份数（默认 3000）。"
        )

    def handle(self, *args, password, sheets, **options):
        created = load_demo_content(admin_password=password, contest_sheets=sheets)
        self.stdout.write(self.style.SUCCESS(f"演示内容已就绪（本次新建文章 {created} 篇）。"))
        accounts = "、".join(username for username, _name, _group in DEMO_USERS)
        self.stdout.write(f"后台账号：{accounts}；初始密码：{password}")
