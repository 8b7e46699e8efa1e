from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    CONSULTATION_DAY = "consultation-day", _("安全咨询日")
    SPEECH_CONTEST = "speech-contest", _("演讲比赛")
    CAMPUS = "campus", _("安全进校园")
    COMMUNITY = "community", _("安全进社区")
    ENTERPRISE = "enterprise", _("安全进企业")
    TRAINING = "training", _("培训")
    DRILL = "drill", _("应急演练")
    OTHER = "other", _("其他")


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("如期举行")
    CANCELLED = "cancelled", _("已取消")
    POSTPONED = "postponed", _("已延期")
    MOVED_ONLINE = "moved-online", _("改为线上")


class ExceptionAction(models.TextChoices):
    CANCEL = "cancel", _("取消这一场")
    MOVE = "move", _("改期或改时间")


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("报名成功")
    WAITLISTED = "waitlisted", _("候补中")
    # A large group registered by someone who is not its unit's liaison: it takes no place until
    # staff confirm it (then it joins the waitlist in the order it registered).
    PENDING = "pending", _("待审核")
    CANCELLED = "cancelled", _("已取消")


class EnteredBy(models.TextChoices):
    """How a registration was made, which decides whether it needs the age confirmation."""

    # The public form: the registrant ticked 我已满18周岁，或已获得监护人同意 (required).
    PUBLIC = "public", _("报名表")
    # A signed-in liaison of the unit registering its group: an accountable adult account.
    LIAISON = "liaison", _("单位联络员")
    # Made before the form asked the question: nothing was confirmed, and nothing is pretended.
    EARLIER = "earlier", _("启用年龄确认前")
