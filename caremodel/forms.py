"""The login form, and how any form shows a service's rules against its fields."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError


class LoginForm(AuthenticationForm):
    """Same message whether or not the username exists."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError names fields; a message for a field the form lacks goes to the summary."""
    for field, messages in exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]:
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
