"""After PERSON_KEY_SECRET changes (or on upgrading from the unkeyed SHA-256 person key): every
participant's person key recomputed from what they typed, then the ledger re-recorded, so each
person is one person again under the new key."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from organizations.people import person_key
from quizzes.models import Participant

CHUNK = 2000


class Command(BaseCommand):
    help = "更换 PERSON_KEY_SECRET 后，重新计算参赛者的人员标识并重建参与记录。"

    def handle(self, *args, **options):
        changed = 0
        with transaction.atomic():
            # Keys are unique: clear the old ones first, so a new key never meets an old one.
            keyed = list(Participant.objects.exclude(person_key=None).order_by("pk"))
            Participant.objects.filter(pk__in=[participant.pk for participant in keyed]).update(person_key=None)
            for participant in keyed:
                key = person_key(
                    unit_id=participant.unit_id,
                    name=participant.name,
                    class_name=participant.class_name,
                    phone=participant.phone,
                )
                changed += key != participant.person_key
                participant.person_key = key
            Participant.objects.bulk_update(keyed, ["person_key"], batch_size=CHUNK)
        self.stdout.write(f"已重新计算 {len(keyed)} 位参赛者的人员标识（{changed} 个有变化）。")
        call_command("rebuild_participation", stdout=self.stdout)
