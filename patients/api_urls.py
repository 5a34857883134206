from django.urls import path

from patients import api

urlpatterns = [
    path("patients/lookup/", api.PatientLookupAPIView.as_view(), name="api-patient-lookup"),
    path("patients/<uuid:public_id>/", api.PatientDetailAPIView.as_view(), name="api-patient-detail"),
]
