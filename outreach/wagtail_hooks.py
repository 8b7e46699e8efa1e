from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from . import privacy_admin, two_factor, views  # noqa: F401 (privacy_admin registers its hooks)


@hooks.register("register_admin_urls")
def two_factor_urls():
    return [
        path("two-factor/", views.two_factor_setup, name=two_factor.SETUP_URL_NAME),
        path("two-factor/verify/", views.two_factor_verify, name=two_factor.VERIFY_URL_NAME),
        path("two-factor/recovery-codes/", views.two_factor_recovery_codes, name="outreach_two_factor_recovery_codes"),
    ]


@hooks.register("register_account_menu_item")
def two_factor_menu_item(request):
    return {
        "url": reverse(two_factor.SETUP_URL_NAME),
        "label": _("两步验证"),
        "help_text": _("设置身份验证器应用和恢复码"),
    }


@hooks.register("register_log_actions")
def two_factor_log_actions(actions):
    actions.register_action(two_factor.ENABLED_ACTION, gettext_lazy("启用两步验证"), gettext_lazy("已启用两步验证"))
    actions.register_action(
        two_factor.RECOVERY_CODES_ACTION, gettext_lazy("生成恢复码"), gettext_lazy("已生成新的恢复码")
    )
    actions.register_action(two_factor.RESET_ACTION, gettext_lazy("重置两步验证"), gettext_lazy("已重置两步验证"))
