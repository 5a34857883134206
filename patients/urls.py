from django.urls import path

from patients import views, views_admin, views_carers, views_events

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("find/", views.lookup, name="lookup"),
    path("panels/home/", views.home_panel, name="home_panel"),
    path("panels/population/", views.population_panel, name="population_panel"),
    path("practices/<str:ods_code>/carers/", views_carers.carers_register, name="carers_register"),
    path("imports/", views_admin.import_upload, name="import_upload"),
    path("imports/matches/", views_admin.pending_match_list, name="pending_matches"),
    path("imports/matches/<int:match_id>/", views_admin.pending_match_decide, name="pending_match_decide"),
    path("duplicates/", views_admin.duplicates, name="duplicates"),
    path("duplicates/merge/", views_admin.merge, name="merge"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/registers/", views.edit_registers, name="edit_registers"),
    path("<uuid:public_id>/conditions/add/", views.add_condition, name="add_condition"),
    path("<uuid:public_id>/carers/add/", views_carers.add_carer, name="add_carer"),
    path("<uuid:public_id>/events/add/", views_events.add_event, name="add_event"),
]
