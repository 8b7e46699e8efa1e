from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.forms import ImportFileForm

from . import selectors
from .models import PARENT_KINDS, Unit
from .services import save_unit


def _campaign_field(**kwargs):
    return forms.ModelChoiceField(
        label=_("宣传活动"), queryset=selectors.campaigns(), required=False, empty_label=_("（请选择）"), **kwargs
    )


def _latest_campaign():
    return selectors.campaigns().first()


class HeadcountImportForm(ImportFileForm):
    campaign = _campaign_field(help_text=_("选择后，文件中“活动”可以留空，且不接受其他活动的数据。"))


class ExportForm(forms.Form):
    UNITS, HEADCOUNTS = "units", "headcounts"

    content = forms.ChoiceField(
        label=_("内容"), choices=[(UNITS, _("单位")), (HEADCOUNTS, _("应参与人数"))], widget=forms.RadioSelect
    )
    campaign = _campaign_field(initial=_latest_campaign, help_text=_("导出应参与人数时必选。"))
    format = forms.ChoiceField(
        label=_("格式"), choices=[("xlsx", _("Excel（.xlsx）")), ("csv", _("CSV（UTF-8）"))], widget=forms.RadioSelect
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("content") == self.HEADCOUNTS and not cleaned.get("campaign"):
            self.add_error("campaign", _("请选择要导出的宣传活动。"))
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
