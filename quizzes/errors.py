"""Why a participant's request was refused, in Chinese, with the HTTP status it deserves.

Services raise these; views turn them into a page or JSON (``core.responses.error_response``).
Nothing was changed when one is raised.
"""

from django.utils.translation import gettext_lazy as _

from core.errors import ReaderFacingError


class ContestError(ReaderFacingError):
    pass


class InvalidInput(ContestError):
    """``field``, where given, is the form field the message belongs beside."""

    status = 422
    default_message = _("提交的内容无效，请检查后重试。")

    def __init__(self, message=None, *, field=None):
        self.field = field
        super().__init__(message)


class SheetNotFound(ContestError):
    # Also for another person's sheet: whether it exists is none of the asker's business.
    status = 404
    default_message = _("没有找到这份答卷。")


class UnitNotAllowed(ContestError):
    status = 403
    default_message = _("你所在的单位类型不能参加本次答卷。")


class ContestNotOpen(ContestError):
    status = 409
    default_message = _("本次答卷当前不在开放时间内。")


class AllowanceUsed(ContestError):
    status = 409
    default_message = _("你的答题次数已用完。")


class SheetFinished(ContestError):
    status = 409
    default_message = _("这份答卷已经交卷，不能再修改。")


class TimeUp(ContestError):
    status = 409
    default_message = _("答题时间已到，系统已按已保存的答案自动交卷。")


class PaperUnavailable(ContestError):
    status = 503
    default_message = _("题库中符合本次答卷要求的题目不足，请联系主办单位。")


class TooManyRequests(ContestError):
    status = 429
    default_message = _("操作太频繁，请稍等一分钟再试。")


class NotOnRoster(ContestError):
    status = 422
    default_message = _("没有在本单位的参赛名单中找到这个姓名（和班级），请核对后重新填写，或联系老师。")


class PayloadTooLarge(ContestError):
    status = 413
    default_message = _("提交的内容太大。")


class AlreadyGranted(ContestError):
    status = 409
    default_message = _("这个人已有一次尚未使用的补答机会。")
