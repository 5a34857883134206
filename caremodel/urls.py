from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from caremodel import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("care-model/", views.directory, name="directory"),
    path("accounts/login/", views.CareModelLoginView.as_view(), name="login"),
    path("accounts/logout/", views.logout_confirm, name="logout"),
    path("patients/", include("patients.urls")),
    path("risk/", include("stratification.urls")),
    path("api/v1/", include("caremodel.api_urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

if settings.API_SCHEMA_ENABLED:
    urlpatterns.append(path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"))

handler400 = "caremodel.errors.bad_request"
handler403 = "caremodel.errors.permission_denied"
handler404 = "caremodel.errors.page_not_found"
handler500 = "caremodel.errors.server_error"
