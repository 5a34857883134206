"""Nested resources of a patient: conditions, carers and activity events. The patient comes
from the URL and the care relationship, never from the body (no mass assignment)."""

from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caremodel.api_permissions import SeesPatientData
from patients import services
from patients.api_support import call
from patients.carers import carer_add, carers_of_patient
from patients.events import EventInput, event_record, events_timeline
from patients.idempotency import idempotency_lookup, idempotency_store
from patients.models import PatientCondition
from patients.serializers import (
    CarerInputSerializer,
    CarerSerializer,
    ConditionInputSerializer,
    ConditionSerializer,
    EventInputSerializer,
    EventSerializer,
)


class ConditionListAPIView(APIView):
    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(responses={200: ConditionSerializer(many=True)})
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = call(services.patient_open, user=request.user, public_id=public_id)
        conditions = PatientCondition.objects.filter(patient=patient).select_related("code")
        return Response(ConditionSerializer(conditions, many=True).data)

    @extend_schema(request=ConditionInputSerializer, responses={201: ConditionSerializer, 200: ConditionSerializer})
    def post(self, request: Request, public_id: UUID) -> Response:
        serializer = ConditionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = call(services.patient_for_write, user=request.user, public_id=public_id)
        condition, created = call(
            services.condition_record,
            user=request.user,
            patient=patient,
            code=serializer.validated_data["code"],
            onset_date=serializer.validated_data.get("onset_date"),
            source="api",
        )
        return Response(ConditionSerializer(condition).data, status=201 if created else 200)


class CarerListAPIView(APIView):
    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(responses={200: CarerSerializer(many=True)})
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = call(services.patient_open, user=request.user, public_id=public_id)
        return Response(CarerSerializer(carers_of_patient(patient=patient), many=True).data)

    @extend_schema(request=CarerInputSerializer, responses={201: CarerSerializer})
    def post(self, request: Request, public_id: UUID) -> Response:
        serializer = CarerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        patient = call(services.patient_for_write, user=request.user, public_id=public_id)
        carer = call(carer_add, user=request.user, patient=patient, **serializer.validated_data)
        return Response(CarerSerializer(carer).data, status=status.HTTP_201_CREATED)


class EventListAPIView(APIView):
    """Event intake is idempotent: send an Idempotency-Key header; a retry with the same key and
    body replays the first answer, the same key with another body gets 422."""

    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(responses={200: EventSerializer(many=True)})
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = call(services.patient_open, user=request.user, public_id=public_id)
        return Response(EventSerializer(events_timeline(patient=patient), many=True).data)

    @extend_schema(
        request=EventInputSerializer,
        responses={201: EventSerializer, 200: EventSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    def post(self, request: Request, public_id: UUID) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        scope = f"events:{public_id}"
        payload = request.data
        if key:
            stored = call(idempotency_lookup, user=request.user, scope=scope, key=key, payload=payload)
            if stored is not None:
                return Response(stored.body, status=stored.status, headers={"Idempotent-Replayed": "true"})
        serializer = EventInputSerializer(data=payload)
        serializer.is_valid(raise_exception=True)
        patient = call(services.patient_for_write, user=request.user, public_id=public_id)
        event, created = call(
            event_record, user=request.user, patient=patient, data=EventInput(**serializer.validated_data)
        )
        body, code = EventSerializer(event).data, (201 if created else 200)
        if key:
            stored = idempotency_store(user=request.user, scope=scope, key=key, payload=payload, status=code, body=body)
            body, code = stored.body, stored.status
        return Response(body, status=code)
