"""Pages of the care model itself: home per role, directory, login pages, health."""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caremodel.decorators import role_required
from caremodel.forms import LoginForm
from caremodel.models import Role
from caremodel.selectors import (
    care_model_counts,
    cluster_directory,
    practice_list_for_user,
    service_catalogue,
    team_list_for_user,
)

HOME_TEMPLATES = {
    Role.COMMISSIONER: "home/commissioner.html",
    Role.ADMINISTRATOR: "home/administrator.html",
    Role.SPA_CLINICIAN: "home/spa_clinician.html",
    Role.MDT_CHAIR: "home/mdt_chair.html",
    Role.GP: "home/gp.html",
}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    template = HOME_TEMPLATES.get(user.role, "home/clinician.html")  # type: ignore[union-attr]
    context: dict[str, object] = {
        "teams": team_list_for_user(user=user),  # type: ignore[arg-type]
        "practices": practice_list_for_user(user=user),  # type: ignore[arg-type]
    }
    if user.role in (Role.SPA_CLINICIAN, Role.ADMINISTRATOR):  # type: ignore[union-attr]
        context["services"] = service_catalogue()
    if user.role in (Role.COMMISSIONER, Role.ADMINISTRATOR):  # type: ignore[union-attr]
        context["clusters"] = cluster_directory()
        context["counts"] = care_model_counts()
    return render(request, template, context)


@role_required(Role.ADMINISTRATOR)
@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "caremodel/directory.html",
        {"clusters": cluster_directory(), "services": service_catalogue(), "counts": care_model_counts()},
    )


class CareModelLoginView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # Demo logins are listed only on a development server with the demo app installed.
        if settings.DEBUG and apps.is_installed("demo"):
            from demo.logins import DEMO_LOGINS, DEMO_PASSWORD

            context.update(demo_logins=DEMO_LOGINS, demo_password=DEMO_PASSWORD)
        return context


@require_http_methods(["GET", "POST"])
def logout_confirm(request: HttpRequest) -> HttpResponse:
    """GET asks, POST (with the CSRF token) ends the session."""
    if request.method == "POST":
        logout(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "registration/logout.html")


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "caremodel/accessibility.html")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for the load balancer; no data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(
        request, "403.html", {"message": "Your form expired. Go back, reload the page and try again."}, status=403
    )
