"""Anonymise the personal data of campaigns whose retention period has passed (宣传活动 → 个人信息保留天数).
Run it daily (cron, or the ``outreach.tasks.purge_personal_data`` task); a second run changes nothing.

    python manage.py purge_personal_data --dry-run   # what would be anonymised
    python manage.py purge_personal_data
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from outreach import privacy


class Command(BaseCommand):
    help = "匿名化保留期已满的宣传活动的个人信息（姓名、班级、手机号、IP 地址），参与统计不变。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将被匿名化的数量，不做修改")

    def handle(self, *args, dry_run=False, **options):
        results = privacy.purge_personal_data(dry_run=dry_run)
        message = (
            _("“%(campaign)s”（保留至 %(until)s）：将匿名化 %(participants)d 个答题人、%(registrations)d 条报名。")
            if dry_run
            else _("“%(campaign)s”（保留至 %(until)s）：已匿名化 %(participants)d 个答题人、%(registrations)d 条报名。")
        )
        for result in results:
            self.stdout.write(
                message
                % {
                    "campaign": result.campaign,
                    "until": result.campaign.personal_data_kept_until.isoformat(),
                    "participants": result.participants,
                    "registrations": result.registrations,
                }
            )
        if not results:
            self.stdout.write(_("没有保留期已满的宣传活动。"))
        roster_message = (
            _("班级名单：将删除 %(count)d 条 %(before)s 之前导入的姓名。")
            if dry_run
            else _("班级名单：已删除 %(count)d 条 %(before)s 之前导入的姓名。")
        )
        before = results.rosters_created_before.date().isoformat()
        self.stdout.write(roster_message % {"count": results.roster_entries, "before": before})
