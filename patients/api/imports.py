"""The import endpoint: the same services and the same report as the commands and the upload page."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caremodel.api_permissions import IsAdministrator
from caremodel.api_support import call
from patients.forms import MAX_UPLOAD_BYTES
from patients.serializers import ImportInputSerializer
from patients.services.imports import import_file

KINDS = {"gp-extract": "gp_extract", "activity": "activity"}


class ImportAPIView(APIView):
    """POST a CSV as multipart `file` (and optionally `strict`). 200 when applied, 422 when nothing was."""

    permission_classes = [IsAuthenticated, IsAdministrator]
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=sorted(KINDS))],
        request={"multipart/form-data": ImportInputSerializer},
        responses={200: dict, 422: dict},
    )
    def post(self, request: Request, kind: str) -> Response:
        if kind not in KINDS:
            raise NotFound("Unknown import; use gp-extract or activity.")
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            return Response({"file": ["The file is larger than 200 MB; use the import command."]}, status=413)
        report = call(
            import_file,
            user=request.user,
            kind=KINDS[kind],
            data=upload.read(),
            strict=serializer.validated_data["strict"],
        )
        return Response(report.as_dict(), status=200 if report.applied else 422)
