from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.forms import ImportFileForm

from .models import MAX_CAMPAIGN_YEAR, MIN_CAMPAIGN_YEAR, PARENT_KINDS, Unit
from .services import save_unit


def _this_year():
    return timezone.localdate().year


def _year_field(**kwargs):
    return forms.IntegerField(
        label=_("年份"),
        validators=[MinValueValidator(MIN_CAMPAIGN_YEAR), MaxValueValidator(MAX_CAMPAIGN_YEAR)],
        **kwargs,
    )


class HeadcountImportForm(ImportFileForm):
    campaign_year = _year_field(required=False, help_text=_("填写后，文件中“年份”可以留空，且不接受其他年份的数据。"))


class ExportForm(forms.Form):
    UNITS, HEADCOUNTS = "units", "headcounts"

    content = forms.ChoiceField(
        label=_("内容"), choices=[(UNITS, _("单位")), (HEADCOUNTS, _("应参与人数"))], widget=forms.RadioSelect
    )
    campaign_year = _year_field(required=False, initial=_this_year, help_text=_("导出应参与人数时必填。"))
    format = forms.ChoiceField(
        label=_("格式"), choices=[("xlsx", _("Excel（.xlsx）")), ("csv", _("CSV（UTF-8）"))], widget=forms.RadioSelect
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("content") == self.HEADCOUNTS and not cleaned.get("campaign_year"):
            self.add_error("campaign_year", _("请填写要导出的年份。"))
        return cleaned


class UnitAdminForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the city and towns; Unit.clean() has the full rule and explains it.
        self.fields["parent"].queryset = Unit.objects.of_kind(*PARENT_KINDS)

    def save(self, commit=True):
        unit = super().save(commit=False)
        if commit:
            save_unit(unit=unit)
            self.save_m2m()
        return unit
