"""The staff console. Changes to accounts and teams go through caremodel.services.staff, which audits
them: a role or a team is what opens patient records to someone."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from caremodel.models import AuditEvent, CareService, Cluster, Organisation, Team, TeamMembership, User
from caremodel.services.staff import staff_account_save, team_changes_audit

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
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Care model", {"fields": ("role", "organisation")}))

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool) -> None:
        before = User.objects.filter(pk=obj.pk).first() if change else None
        staff_account_save(account=obj, by=request.user, before=before)  # type: ignore[arg-type]


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

    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # One transaction for the team, its practices, its members and the audit entry.
        with transaction.atomic():
            return super().changeform_view(request, *args, **kwargs)

    def save_model(self, request: HttpRequest, obj: Team, form: ModelForm[Team], change: bool) -> None:
        request._team_before = (  # type: ignore[attr-defined]
            set(obj.memberships.values_list("user_id", flat=True)) if change else set(),
            set(obj.practices.values_list("pk", flat=True)) if change else set(),
        )
        super().save_model(request, obj, form, change)

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[Team],
        formsets: list[BaseInlineFormSet[Any, Any, Any]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        members_before, practices_before = request._team_before  # type: ignore[attr-defined]
        team_changes_audit(
            team=form.instance,
            by=request.user,  # type: ignore[arg-type]
            created=not change,
            fields=form.changed_data,
            members_before=members_before,
            practices_before=practices_before,
        )


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
