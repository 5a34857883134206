from django.urls import path

from patients.views import admin, carers, events, records

app_name = "patients"

urlpatterns = [
    path("", records.patient_list, name="list"),
    path("find/", records.lookup, name="lookup"),
    path("panels/home/", records.home_panel, name="home_panel"),
    path("panels/population/", records.population_panel, name="population_panel"),
    path("practices/<str:ods_code>/carers/", carers.carers_register, name="carers_register"),
    path("imports/", admin.import_upload, name="import_upload"),
    path("imports/<uuid:public_id>/", admin.import_job, name="import_job"),
    path("imports/<uuid:public_id>/progress/", admin.import_job_progress_panel, name="import_job_progress"),
    path("imports/matches/", admin.pending_match_list, name="pending_matches"),
    path("imports/matches/<int:match_id>/", admin.pending_match_decision, name="pending_match_decide"),
    path("duplicates/", admin.duplicates, name="duplicates"),
    path("duplicates/merge/", admin.merge, name="merge"),
    path("<uuid:public_id>/", records.detail, name="detail"),
    path("<uuid:public_id>/activity/", records.timeline, name="timeline"),
    path("<uuid:public_id>/registers/", records.edit_registers, name="edit_registers"),
    path("<uuid:public_id>/conditions/add/", records.add_condition, name="add_condition"),
    path("<uuid:public_id>/carers/add/", carers.add_carer, name="add_carer"),
    path("<uuid:public_id>/events/add/", events.add_event, name="add_event"),
]
