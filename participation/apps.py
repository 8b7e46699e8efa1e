from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "participation"
    verbose_name = _("参与情况")

    def ready(self):
        # The contest and event apps send signals and know nothing of the ledger; connect here.
        from . import receivers

        receivers.connect()
