"""After PERSON_KEY_SECRET changes (or on upgrading from the unkeyed SHA-256 person key): every
participant's person key recomputed from what they typed, then the ledger re-recorded, so each
person is one person again under the new key.

A participant who gave a phone cannot be re-keyed: their key was computed from the phone, which is
kept only as a digest under the old secret. Their key (and phone digest) stay as they are, and
they are counted as left unchanged; identifying again with the phone under a new secret makes a new
participant (and a lookup by that phone no longer finds the old one)."""

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
            keyed = Participant.objects.exclude(person_key=None)
            kept = keyed.exclude(phone_digest="").count()
            # Keys are unique: clear the old ones first, so a new key never meets an old one.
            rekeyed = list(keyed.filter(phone_digest="").order_by("pk"))
            Participant.objects.filter(pk__in=[participant.pk for participant in rekeyed]).update(person_key=None)
            for participant in rekeyed:
                key = person_key(unit_id=participant.unit_id, name=participant.name, class_name=participant.class_name)
                changed += key != participant.person_key
                participant.person_key = key
            Participant.objects.bulk_update(rekeyed, ["person_key"], batch_size=CHUNK)
        self.stdout.write(f"已重新计算 {len(rekeyed)} 位参赛者的人员标识（{changed} 个有变化）。")
        if kept:
            self.stdout.write(f"{kept} 位留了手机号的参赛者无法重新计算（手机号未明文保存），人员标识保持不变。")
        call_command("rebuild_participation", stdout=self.stdout)
