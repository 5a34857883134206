from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    path("find/", views.lookup, name="lookup"),
    path("panels/home/", views.home_panel, name="home_panel"),
    path("panels/population/", views.population_panel, name="population_panel"),
    path("<uuid:public_id>/", views.detail, name="detail"),
]
