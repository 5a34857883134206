"""A request whose user is known to be a logged-in member of staff, for views behind a login guard."""

from django.http import HttpRequest

from caremodel.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """What views behind `login_required` (and the role guards) receive: `request.user` is a `User`."""

    user: User  # type: ignore[assignment]
