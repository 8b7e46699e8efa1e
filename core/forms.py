from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from .spreadsheets import FORMATS

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class ImportFileForm(forms.Form):
    file = forms.FileField(
        label=_("文件"),
        help_text=_("Excel（.xlsx）或 CSV 文件，格式见下方说明。"),
        validators=[FileExtensionValidator(FORMATS, message=_("只能导入 .xlsx 或 .csv 文件。"))],
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件不能超过 10 MB。"))
        return file
