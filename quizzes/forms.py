from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from organizations.models import UnitKind

from .validation import validate_choices


class QuestionForm(WagtailAdminModelForm):
    """Checks the inline choices against the question type: one answer for 单选 and 判断, at least
    one for 不定项, no empty or repeated options."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("choices")
        if formset is not None and formset.is_valid():
            choices = [
                (form.cleaned_data.get("text", ""), form.cleaned_data.get("is_correct", False))
                for form in formset.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            errors = validate_choices(cleaned.get("kind"), choices)
            if errors:
                raise ValidationError(errors)
        return cleaned


class ContestPageForm(WagtailAdminPageForm):
    # Stored as a JSON list; a plain multiple choice field so the checkboxes show what is saved.
    allowed_unit_kinds = forms.MultipleChoiceField(
        label=_("可参加的单位类型"), choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple
    )
