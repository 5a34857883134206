"""Nested resources of a patient: conditions, carers and activity events. The patient comes from the
URL and the care relationship, never from the body (no mass assignment). Every list is paginated
(follow `next`), never cut short."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caremodel.api_permissions import SeesPatientData
from caremodel.api_support import api_user, call
from patients.rules.events import EventInput
from patients.selectors.carers import carer_rows
from patients.selectors.events import event_rows
from patients.selectors.patient import condition_rows
from patients.serializers import (
    CarerInputSerializer,
    CarerSerializer,
    ConditionInputSerializer,
    ConditionSerializer,
    EventInputSerializer,
    EventSerializer,
)
from patients.services.carers import carer_add, carer_contacts
from patients.services.conditions import condition_record
from patients.services.events import event_intake
from patients.services.patient import patient_for_write, patient_open


class NestedPagination(CursorPagination):
    """Cursor pages of 50 (at most 100 with `page_size`); a page size that is not a whole number in range is
    refused naming the parameter, never quietly replaced by the default."""

    page_size = 50
    max_page_size = 100
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        if len(raw) == 1 and raw[0].isascii() and raw[0].isdigit() and 1 <= int(raw[0]) <= self.max_page_size:
            return int(raw[0])
        raise ValidationError({self.page_size_query_param: [f"Give a whole number from 1 to {self.max_page_size}."]})

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class _PagedList(APIView):
    """A page of one kind of the patient's rows, in a stable order."""

    permission_classes = [IsAuthenticated, SeesPatientData]
    pagination_class = NestedPagination
    ordering: tuple[str, ...] = ("-id",)
    resource = "patient"

    def page(
        self, request: Request, rows: QuerySet[Any], serializer: Any, present: Callable[[list[Any]], list[Any]] = list
    ) -> Response:
        paginator = self.pagination_class()
        paginator.ordering = self.ordering
        page = paginator.paginate_queryset(rows, request, view=self) or []
        return paginator.get_paginated_response(serializer(present(page), many=True).data)


class ConditionListAPIView(_PagedList):
    ordering = ("id",)

    @extend_schema(responses={200: ConditionSerializer(many=True)})
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = call(patient_open, user=request.user, public_id=public_id, resource="conditions")
        return self.page(request, condition_rows(patient=patient), ConditionSerializer)

    @extend_schema(request=ConditionInputSerializer, responses={201: ConditionSerializer, 200: ConditionSerializer})
    def post(self, request: Request, public_id: UUID) -> Response:
        serializer = ConditionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = call(patient_for_write, user=request.user, public_id=public_id)
        condition, created = call(
            condition_record,
            user=request.user,
            patient=patient,
            code=serializer.validated_data["code"],
            onset_date=serializer.validated_data.get("onset_date"),
            source="api",
        )
        return Response(ConditionSerializer(condition).data, status=201 if created else 200)


class CarerListAPIView(_PagedList):
    ordering = ("id",)

    @extend_schema(responses={200: CarerSerializer(many=True)})
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = call(patient_open, user=request.user, public_id=public_id, resource="carers")
        return self.page(
            request,
            carer_rows(patient=patient),
            CarerSerializer,
            present=lambda rows: carer_contacts(user=api_user(request), rows=rows),
        )

    @extend_schema(request=CarerInputSerializer, responses={201: CarerSerializer})
    def post(self, request: Request, public_id: UUID) -> Response:
        serializer = CarerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = call(patient_for_write, user=request.user, public_id=public_id)
        carer = call(carer_add, user=request.user, patient=patient, **serializer.validated_data)
        contact = carer_contacts(user=api_user(request), rows=[carer])[0]
        return Response(CarerSerializer(contact).data, status=status.HTTP_201_CREATED)


class EventListAPIView(_PagedList):
    """Event intake is idempotent: send an Idempotency-Key header; a retry with the same key and
    body replays the first answer (access checked and audited again), the same key with another body
    gets 422."""

    ordering = ("-event_date", "-id")

    @extend_schema(responses={200: EventSerializer(many=True)})
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = call(patient_open, user=request.user, public_id=public_id, resource="timeline")
        return self.page(request, event_rows(patient=patient), EventSerializer)

    @extend_schema(
        request=EventInputSerializer,
        responses={201: EventSerializer, 200: EventSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        serializer = EventInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = call(
            event_intake,
            user=request.user,
            public_id=public_id,
            data=EventInput(**serializer.validated_data),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            payload=request.data,
            render=lambda event: EventSerializer(event).data,
        )
        headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
        return Response(outcome.body, status=outcome.status, headers=headers)
