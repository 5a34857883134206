from django.urls import path

from stratification import views

app_name = "stratification"

urlpatterns = [
    path("", views.risk_list, name="list"),
    path("export.csv", views.risk_export, name="export"),
    path("runs/", views.run_list, name="runs"),
    path("patients/<uuid:public_id>/panel/", views.patient_panel, name="patient_panel"),
]
