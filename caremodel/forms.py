"""The login form, and how any form shows a service's rules against its fields."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest

USERNAME_MAX = get_user_model()._meta.get_field("username").max_length or 150


class LoginForm(AuthenticationForm):
    """Same message whether or not the username exists. A username longer than any can be is
    refused before authentication, so it is never looked up or recorded as a failed attempt."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length after the field is built, so only the widget had it.
        self.fields["username"].validators.append(MaxLengthValidator(USERNAME_MAX))


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The username a failed login is recorded under, cut to the longest a username can be: the
    admin's login form does not bound it, and the lockout table's column is 255 characters."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username")
    return username[:USERNAME_MAX] if isinstance(username, str) else username


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError names fields; a message for a field the form lacks goes to the summary."""
    for field, messages in exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]:
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
