from django.urls import path

from patients import api, api_imports, api_nested

urlpatterns = [
    path("patients/", api.PatientListAPIView.as_view(), name="api-patient-list"),
    path("patients/search/", api.PatientSearchAPIView.as_view(), name="api-patient-search"),
    path("patients/lookup/", api.PatientLookupAPIView.as_view(), name="api-patient-lookup"),
    path("patients/<uuid:public_id>/", api.PatientDetailAPIView.as_view(), name="api-patient-detail"),
    path("patients/<uuid:public_id>/registers/", api.PatientRegistersAPIView.as_view(), name="api-patient-registers"),
    path(
        "patients/<uuid:public_id>/conditions/",
        api_nested.ConditionListAPIView.as_view(),
        name="api-patient-conditions",
    ),
    path("patients/<uuid:public_id>/carers/", api_nested.CarerListAPIView.as_view(), name="api-patient-carers"),
    path("patients/<uuid:public_id>/events/", api_nested.EventListAPIView.as_view(), name="api-patient-events"),
    path("imports/<slug:kind>/", api_imports.ImportAPIView.as_view(), name="api-import"),
]
