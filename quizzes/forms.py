from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.slugs import PinyinSlugPageForm
from organizations.models import UnitKind
from organizations.people import normalise_name

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


class ContestPageForm(PinyinSlugPageForm):
    # Stored as a JSON list; a plain multiple choice field so the checkboxes show what is saved.
    allowed_unit_kinds = forms.MultipleChoiceField(
        label=_("可参加的单位类型"), choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple
    )


class RosterEntryForm(WagtailAdminModelForm):
    """Refuses a name already on the class's roster (compared normalised, as identifying does): the
    unique constraint is on the normalised keys, which the form does not show, so it would not check it."""

    def clean(self):
        cleaned = super().clean()
        unit, class_name, name = cleaned.get("unit"), cleaned.get("class_name", ""), cleaned.get("name", "")
        if unit is not None and name:
            duplicates = self._meta.model.objects.filter(
                unit=unit, class_key=normalise_name(class_name)[:120], name_key=normalise_name(name)[:120]
            ).exclude(pk=self.instance.pk)
            if duplicates.exists():
                raise ValidationError({"name": _("这个班级的名单里已经有这个姓名。")})
        return cleaned
