"""Fill the ledger again from what it records, and rebuild the report rollups.

    python manage.py rebuild_participation            # every source, then every campaign's rollups
    python manage.py rebuild_participation --rollups-only

For entries written before the ledger existed, after a contest or event changed its campaign, or
after data was loaded in bulk without the services (the benchmark does). Recording is idempotent
on the source, so running it twice changes nothing; it only adds or updates, and withdraws the
entries of sources that no longer count (cancelled registrations, contests with no campaign).
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from organizations.models import Campaign
from participation import receivers, services

CHUNK = 500


class Command(BaseCommand):
    help = "Re-record every finished answer sheet, registration and attendance in the participation ledger."

    def add_arguments(self, parser):
        parser.add_argument("--rollups-only", action="store_true", help="only rebuild the report rollups")

    def handle(self, *args, rollups_only=False, **options):
        if not rollups_only:
            self._record_all()
        for campaign in Campaign.objects.all():
            services.rebuild_rollups(campaign=campaign)
            self.stdout.write(_("已重建“%(campaign)s”的统计汇总。") % {"campaign": campaign})

    def _record_all(self):
        # Through the app registry: the ledger reads contests and events only through their selectors.
        sheets = apps.get_model("quizzes", "AnswerSheet").objects.finished().order_by("pk")
        registrations = apps.get_model("events", "Registration").objects.order_by("pk")
        events = apps.get_model("events", "EventPage").objects.filter(attendance__isnull=False).distinct()
        counts = {"sheets": 0, "registrations": 0, "events": 0}
        for sheet in sheets.iterator(CHUNK):
            receivers.record_sheet(sheet=sheet)
            counts["sheets"] += 1
        for registration in registrations.iterator(CHUNK):
            receivers.record_registration(registration=registration)
            counts["registrations"] += 1
        for event in events.iterator(CHUNK):
            receivers.record_attendance(event=event)
            counts["events"] += 1
        self.stdout.write(
            _("已重新登记 %(sheets)d 份答卷、%(registrations)d 条报名、%(events)d 个活动的参加人数。") % counts
        )
