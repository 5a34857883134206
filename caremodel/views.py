"""Pages of the care model itself: home per role, directory, login pages, health."""

from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caremodel import rules
from caremodel.decorators import role_required
from caremodel.forms import LoginForm
from caremodel.http import AuthenticatedHttpRequest
from caremodel.models import Role
from caremodel.registry import registry
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
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's home page; the cards on it are those apps registered for this user (caremodel.registry)."""
    user = request.user
    if not user.role:
        return render(request, "home/no_role.html", {"teams": team_list_for_user(user=user)})
    template = HOME_TEMPLATES.get(Role(user.role), "home/clinician.html")
    context: dict[str, object] = {
        "teams": team_list_for_user(user=user),
        "practices": practice_list_for_user(user=user),
        "cards": registry.home_cards_for(user),
    }
    if rules.has_role(user, Role.SPA_CLINICIAN, Role.ADMINISTRATOR):
        context["services"] = service_catalogue()
    if rules.has_role(user, Role.COMMISSIONER, Role.ADMINISTRATOR):
        context["clusters"] = cluster_directory()
        context["counts"] = care_model_counts()
    return render(request, template, context)


@role_required(Role.ADMINISTRATOR)
@require_GET
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
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
        # Extra login-page context (the demo's logins) is shown on a development server only.
        if settings.DEBUG:
            context.update(registry.login_context())
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
