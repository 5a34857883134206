"""The import endpoint: the same services and the same report as the commands and the upload page."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caremodel.models import Role
from patients.forms import MAX_UPLOAD_BYTES
from patients.imports import import_activity, import_gp_extract
from patients.serializers import ImportInputSerializer

IMPORTERS = {"gp-extract": import_gp_extract, "activity": import_activity}


class ImportAPIView(APIView):
    """POST a CSV as multipart `file` (and optionally `strict`). 200 when applied, 422 when nothing was."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=sorted(IMPORTERS))],
        request={"multipart/form-data": ImportInputSerializer},
        responses={200: dict, 422: dict},
    )
    def post(self, request: Request, kind: str) -> Response:
        if request.user.role != Role.ADMINISTRATOR and not request.user.is_superuser:  # type: ignore[union-attr]
            raise PermissionDenied("Only a system administrator can import files.")
        importer = IMPORTERS.get(kind)
        if importer is None:
            raise NotFound("Unknown import; use gp-extract or activity.")
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            return Response({"file": ["The file is larger than 200 MB; use the import command."]}, status=413)
        report = importer(data=upload.read(), user=request.user, strict=serializer.validated_data["strict"])
        return Response(report.as_dict(), status=200 if report.applied else 422)
