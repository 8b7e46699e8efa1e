"""How the contest pages write times, dates and greetings, each one way everywhere.

``{{ seconds|duration }}`` → 5 分钟, 2 分 30 秒, 45 秒; ``{{ moment|contest_date }}`` → 6月5日 14:00, with
the year only when it is not this year; ``{{ unit|join_greeting }}`` → 欢迎，莱西市实验小学的同学.
"""

from django import template
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.models import UnitKind

register = template.Library()


@register.filter
def duration(seconds):
    """A number of seconds as a person says it: whole minutes, minutes and seconds, or seconds."""
    if seconds is None or seconds == "":
        return ""
    minutes, rest = divmod(max(0, int(seconds)), 60)
    if not minutes:
        return _("%(seconds)d 秒") % {"seconds": rest}
    if not rest:
        return _("%(minutes)d 分钟") % {"minutes": minutes}
    return _("%(minutes)d 分 %(seconds)d 秒") % {"minutes": minutes, "seconds": rest}


@register.filter
def contest_date(value, with_time=True):
    """A date (and time), naming the year only when it is not the current one."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    else:
        with_time = False
    same_year = value.year == timezone.localdate().year
    if with_time:
        pattern = _("n月j日 H:i") if same_year else _("Y年n月j日 H:i")
    else:
        pattern = _("n月j日") if same_year else _("Y年n月j日")
    return dateformat.format(value, pattern)


# Who a unit's people are, for the greeting on a scanned join link.
PEOPLE_OF_KIND = {
    UnitKind.SCHOOL: gettext_lazy("同学"),
    UnitKind.COMMUNITY: gettext_lazy("居民"),
    UnitKind.TOWN: gettext_lazy("居民"),
    UnitKind.ENTERPRISE: gettext_lazy("职工"),
    UnitKind.GOVERNMENT: gettext_lazy("工作人员"),
}


@register.filter
def join_greeting(unit):
    people = PEOPLE_OF_KIND.get(unit.kind)
    return _("欢迎，%(unit)s的%(people)s") % {"unit": unit.name, "people": people or _("朋友")}
