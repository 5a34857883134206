"""Dates on the record's forms as the NHS.UK date input: day, month and year boxes, with error
messages that name the field and the rule (the NHS.UK design system's date input pattern)."""

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

PARTS = ("day", "month", "year")


class DateInputWidget(forms.MultiWidget):
    """Three text boxes named <field>_day, <field>_month and <field>_year."""

    def __init__(self) -> None:
        super().__init__(widgets={part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in PARTS})

    def decompress(self, value: date | None) -> list[str | None]:
        if isinstance(value, date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class NHSDateField(forms.Field):
    """A date from day, month and year boxes. `past_only` refuses dates after today.

    Messages follow the NHS.UK pattern: "Onset date must include a month", "Onset date must be a
    real date", "Onset date must be today or in the past", "Enter the onset date"."""

    widget = DateInputWidget
    # The error summary links to the day box, the first of the three (includes/error_summary.html).
    anchor_suffix = "_day"

    def __init__(self, *, past_only: bool = True, **kwargs: Any) -> None:
        self.past_only = past_only
        super().__init__(**kwargs)

    @property
    def name_in_messages(self) -> str:
        return str(self.label)

    def to_python(self, value: Any) -> date | None:
        parts = [str(part or "").strip() for part in (value or ["", "", ""])]
        label = self.name_in_messages
        if not any(parts):
            return None
        missing = [name for name, part in zip(PARTS, parts, strict=True) if not part]
        if missing:
            raise forms.ValidationError(f"{label} must include a {' and '.join(missing)}.", code="incomplete")
        day, month, year = parts
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise forms.ValidationError(f"{label} must be a real date.", code="invalid")
        if len(year) != 4:
            raise forms.ValidationError(f"{label} year must include 4 numbers.", code="invalid")
        try:
            value = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a day of 10**30 overflows rather than being "not a day"
            raise forms.ValidationError(f"{label} must be a real date.", code="invalid") from None
        return value

    def validate(self, value: date | None) -> None:
        if value is None:
            if self.required:
                raise forms.ValidationError(f"Enter the {self.name_in_messages.lower()}.", code="required")
            return
        if self.past_only and value > timezone.localdate():
            raise forms.ValidationError(f"{self.name_in_messages} must be today or in the past.", code="future")

    @staticmethod
    def parts(value: Any) -> dict[str, str]:
        """The three boxes' values for the template, from submitted data or an initial date."""
        if isinstance(value, date):
            value = [value.day, value.month, value.year]
        if not isinstance(value, list | tuple):
            value = ["", "", ""]
        return {name: "" if part is None else str(part) for name, part in zip(PARTS, value, strict=False)}
