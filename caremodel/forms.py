from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Same message whether or not the username exists."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "Enter a correct username and password. Both are case-sensitive.",
    }
