from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

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
