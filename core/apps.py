from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """What every app shares: errors, masking, spreadsheets, strict parsing, structured data."""

    name = "core"
    verbose_name = _("公共组件")
