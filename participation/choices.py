from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    CONTEST = "contest", _("答卷")
    EVENT_REGISTRATION = "event_registration", _("活动报名")
    EVENT_CHECKIN = "event_checkin", _("活动签到")
    EVENT_ATTENDANCE = "event_attendance", _("活动参加人数")
    ACTIVITY = "activity", _("宣传活动")


# What counts as taking part: a registration is only an intention until its check-in.
PARTICIPATION_CHANNELS = (Channel.CONTEST, Channel.EVENT_CHECKIN, Channel.EVENT_ATTENDANCE, Channel.ACTIVITY)
# Entries that may have no unit: a member of the public registering for an event without naming one.
UNITLESS_CHANNELS = (Channel.EVENT_REGISTRATION, Channel.EVENT_CHECKIN)
