"""Remove a staff account's authenticator and recovery codes (a lost phone and lost codes).

The next sign-in sets up a new authenticator. Recorded in the audit log.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from outreach import two_factor


class Command(BaseCommand):
    help = "删除账号的身份验证器和恢复码（手机和恢复码都丢失时），下次登录时重新设置两步验证。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为 {username} 的账号。")
        removed = two_factor.reset(user)
        self.stdout.write(f"已删除 {username} 的 {removed} 个验证设备。")
