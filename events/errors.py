"""Why a registration request was refused, in Chinese, with its HTTP status. Nothing was changed."""

from django.utils.translation import gettext_lazy as _

from core.errors import ReaderFacingError


class RegistrationError(ReaderFacingError):
    # The form field the message belongs beside (None: the form as a whole).
    field = None

    def __init__(self, message=None, *, field=None):
        super().__init__(message)
        if field:
            self.field = field


class InvalidRegistration(RegistrationError):
    status = 422
    default_message = _("报名信息有误，请检查后重试。")


class MissingConsent(InvalidRegistration):
    field = "adult_or_guardian_consent"
    default_message = _("请确认您已满18周岁，或已获得监护人同意。")


class RegistrationClosed(RegistrationError):
    status = 409
    default_message = _("本场活动当前不接受报名。")


class DuplicateRegistration(RegistrationError):
    status = 409
    field = "phone"
    default_message = _("该手机号已报名本场活动，请勿重复报名。")


class RegistrationNotFound(RegistrationError):
    # Also for a wrong token: whether the registration exists is none of the asker's business.
    status = 404
    default_message = _("没有找到这条报名记录，请检查链接是否完整。")


class CheckInNotAllowed(RegistrationError):
    status = 403
    default_message = _("你没有为活动签到的权限，请联系管理员。")


class ReviewNotAllowed(RegistrationError):
    status = 403
    default_message = _("你没有审核这条集体报名的权限。")


class TooManyRequests(RegistrationError):
    status = 429
    default_message = _("操作太频繁，请过几分钟再试。")


class LookupNotFound(RegistrationError):
    # One message for an unknown phone and a wrong code alike: the lookup tells nobody which it was.
    status = 404
    default_message = _("手机号或查询码不正确，没有找到对应的报名。请核对后重试。")
