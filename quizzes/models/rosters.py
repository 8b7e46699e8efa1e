"""Class rosters: the names a school says may take its contests.

A school without roster entries is open to any name; once it has some, only a name on the roster
(in that class, where the contest asks for classes) may identify. Names and classes are compared
normalised (``organizations.people.normalise_name``), as the participation ledger compares them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.privacy import mask_name
from organizations.people import normalise_name

from ..forms import RosterEntryForm


class RosterEntry(models.Model):
    unit = models.ForeignKey(
        "organizations.Unit", verbose_name=_("学校"), on_delete=models.CASCADE, related_name="roster_entries"
    )
    class_name = models.CharField(_("班级"), max_length=30)
    name = models.CharField(_("姓名"), max_length=30)
    # NFKC may lengthen what was typed (㍿ is four characters), hence the room.
    class_key = models.CharField(_("班级（比对用）"), max_length=120, editable=False)
    name_key = models.CharField(_("姓名（比对用）"), max_length=120, editable=False)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    base_form_class = RosterEntryForm

    class Meta:
        verbose_name = _("班级名单")
        verbose_name_plural = _("班级名单")
        ordering = ["unit", "class_key", "name_key"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "class_key", "name_key"], name="roster_entry_unique"),
            models.CheckConstraint(condition=~models.Q(name_key=""), name="roster_entry_has_name"),
        ]

    def __str__(self):
        return f"{self.class_name} {self.masked_name}"

    @property
    def masked_name(self):
        return mask_name(self.name)

    def _set_keys(self):
        self.class_key = normalise_name(self.class_name)[:120]
        self.name_key = normalise_name(self.name)[:120]

    def clean(self):
        super().clean()
        self._set_keys()

    def save(self, *args, **kwargs):
        self._set_keys()
        super().save(*args, **kwargs)
