"""The NHS.UK date input on the record's forms: day, month and year, with messages naming the field and rule."""

import datetime

import pytest
from django import forms
from django.utils import timezone

from patients.forms_dates import NHSDateField


class OneDate(forms.Form):
    onset_date = NHSDateField(label="Onset date", required=False)
    event_date = NHSDateField(label="Event date", required=True)


def errors(**data: str) -> dict[str, list[str]]:
    form = OneDate({"event_date_day": "1", "event_date_month": "2", "event_date_year": "2020", **data})
    form.is_valid()
    return dict(form.errors)


def test_a_real_date_in_the_past_is_accepted() -> None:
    form = OneDate({"onset_date_day": "15", "onset_date_month": "03", "onset_date_year": "2019", **_event()})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["onset_date"] == datetime.date(2019, 3, 15)


def _event() -> dict[str, str]:
    return {"event_date_day": "1", "event_date_month": "2", "event_date_year": "2020"}


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2019", "Onset date must be a real date."),
        ("15", "13", "2019", "Onset date must be a real date."),
        ("a", "3", "2019", "Onset date must be a real date."),
        ("15", "3", "19", "Onset date year must include 4 numbers."),
        ("", "3", "2019", "Onset date must include a day."),
        ("15", "", "", "Onset date must include a month and year."),
    ],
)
def test_bad_dates_name_the_field_and_the_rule(day: str, month: str, year: str, message: str) -> None:
    assert errors(onset_date_day=day, onset_date_month=month, onset_date_year=year) == {"onset_date": [message]}


def test_a_future_date_is_refused() -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    found = errors(
        onset_date_day=str(tomorrow.day), onset_date_month=str(tomorrow.month), onset_date_year=str(tomorrow.year)
    )
    assert found == {"onset_date": ["Onset date must be today or in the past."]}


def test_blank_is_fine_unless_required() -> None:
    form = OneDate({})
    assert not form.is_valid()
    assert dict(form.errors) == {"event_date": ["Enter the event date."]}


def test_the_template_marks_only_the_missing_part(client, gp, p1) -> None:
    from django.urls import reverse

    client.force_login(gp)
    response = client.post(
        reverse("patients:add_condition", args=[p1.public_id]),
        {"code": "", "onset_date_day": "15", "onset_date_month": "", "onset_date_year": "2019"},
    )
    body = response.content.decode()
    assert "Onset date must include a month." in body
    assert 'id="id_onset_date_month" name="onset_date_month"' in body
    month_input = body[body.index('id="id_onset_date_month"') - 200 : body.index('id="id_onset_date_month"')]
    day_input = body[body.index('id="id_onset_date_day"') - 200 : body.index('id="id_onset_date_day"')]
    assert "nhsuk-input--error" in month_input
    assert "nhsuk-input--error" not in day_input
    assert 'value="15"' in body[body.index('id="id_onset_date_day"') :][:200]
