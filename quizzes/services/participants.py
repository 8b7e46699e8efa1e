"""Registering who takes a contest, with the rules for children in one place."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import Unit

from ..choices import AgeBand
from ..errors import InvalidInput, UnitNotAllowed
from ..models.sheets import Participant


def register_participant(*, contest, name, unit, age_band, class_name="", phone="", guardian_consent=False):
    """Record who is taking ``contest``. Children under 14 need a guardian's consent and give no
    phone number (whatever was posted is dropped here); no ID number is ever asked for."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 30:
        raise InvalidInput(_("请填写姓名（不超过 30 个字）。"))
    if not isinstance(unit, Unit) or not unit.is_active:
        raise InvalidInput(_("请选择你所在的单位。"))
    if unit.kind not in contest.allowed_unit_kinds:
        raise UnitNotAllowed()
    if age_band not in AgeBand.values:
        raise InvalidInput(_("请选择年龄段。"))
    participant = Participant(
        name=name,
        unit=unit,
        age_band=age_band,
        class_name=" ".join((class_name or "").split())[:30] if contest.ask_class_name else "",
    )
    if age_band == AgeBand.UNDER_14:
        if not guardian_consent:
            raise InvalidInput(_("14 岁以下的同学需要监护人勾选同意后才能参加。"))
        participant.guardian_consent_at = timezone.now()
        participant.guardian_consent_version = contest.consent_version
    elif phone and contest.ask_phone:
        participant.phone = phone.strip()
    try:
        participant.full_clean()
    except ValidationError as error:
        raise InvalidInput("；".join(error.messages)) from None
    participant.save()
    return participant
