from django.urls import path

from patients.api import imports, nested, records

urlpatterns = [
    path("patients/", records.PatientListAPIView.as_view(), name="api-patient-list"),
    path("patients/search/", records.PatientSearchAPIView.as_view(), name="api-patient-search"),
    path("patients/lookup/", records.PatientLookupAPIView.as_view(), name="api-patient-lookup"),
    path("patients/<uuid:public_id>/", records.PatientDetailAPIView.as_view(), name="api-patient-detail"),
    path(
        "patients/<uuid:public_id>/registers/", records.PatientRegistersAPIView.as_view(), name="api-patient-registers"
    ),
    path(
        "patients/<uuid:public_id>/conditions/",
        nested.ConditionListAPIView.as_view(),
        name="api-patient-conditions",
    ),
    path("patients/<uuid:public_id>/carers/", nested.CarerListAPIView.as_view(), name="api-patient-carers"),
    path("patients/<uuid:public_id>/events/", nested.EventListAPIView.as_view(), name="api-patient-events"),
    path("imports/jobs/<uuid:public_id>/", imports.ImportJobAPIView.as_view(), name="api-import-job"),
    path("imports/<slug:kind>/", imports.ImportAPIView.as_view(), name="api-import"),
]
