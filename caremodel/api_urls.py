"""Version 1 of the API: each app contributes its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("patients.api.urls")),
]
