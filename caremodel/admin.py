from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from caremodel.models import AuditEvent, CareService, Cluster, Organisation, Team, TeamMembership, User

admin.site.site_header = "CareModel staff console"
admin.site.site_title = "CareModel staff console"


class TeamMembershipInline(admin.TabularInline[TeamMembership, Team]):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation__kind"]
    search_fields = ["username", "first_name", "last_name"]
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Care model", {"fields": ("role", "organisation", "job_title")}))  # type: ignore[misc]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "ods_code", "kind", "cluster", "active"]
    list_filter = ["kind", "cluster", "active"]
    search_fields = ["name", "ods_code"]


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin[Cluster]):
    list_display = ["name", "commissioner"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "kind", "organisation", "cluster", "active"]
    list_filter = ["kind", "active"]
    filter_horizontal = ["practices"]
    inlines = [TeamMembershipInline]


@admin.register(CareService)
class CareServiceAdmin(admin.ModelAdmin[CareService]):
    list_display = ["name", "kind", "provider", "open_24_7", "bed_capacity", "active"]
    list_filter = ["kind", "open_24_7", "active"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: the trail is append-only for everyone, administrators included."""

    list_display = ["occurred_at", "username", "role", "action", "outcome", "resource", "patient_id", "source"]
    list_filter = ["action", "outcome", "source", "role"]
    search_fields = ["username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
