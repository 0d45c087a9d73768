from django import forms

from .reading import MAX_BYTES, Sheet, UnreadableFile, read_sheet


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text="A .csv (UTF-8) or .xlsx file laid out like the template, at most 2 MB "
        "and 500 rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    sheet: Sheet | None = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # refused before it is read
            raise forms.ValidationError(
                f"“{upload.name}” is {upload.size // 1024} KB: the limit is 2 MB. Split it "
                "into several files."
            )
        self.content = upload.read()
        try:
            self.sheet = read_sheet(upload.name, self.content)
        except UnreadableFile as error:
            raise forms.ValidationError(str(error)) from None
        return upload
