"""Read API of the org tree and units, scoped exactly like the pages."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from pingan.orgs.access import scope_paths
from pingan.orgs.filtersets import DivisionFilter
from pingan.orgs.models import Division, FunctionArea, Unit
from pingan.orgs.selectors import scope_roots

from .serializers import DivisionDetailSerializer, DivisionSerializer, MeSerializer, UnitSerializer


class DivisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Divisions (district, streets, communities, grids) inside the caller's scope."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = DivisionFilter

    def get_queryset(self):
        queryset = Division.objects.visible_to(self.request.user).select_related("parent")
        if self.action == "list":
            queryset = queryset.defer("geometry")
        return queryset.order_by("path")

    def get_serializer_class(self):
        return DivisionDetailSerializer if self.action == "retrieve" else DivisionSerializer


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units located in the caller's scope and the agencies that serve it."""

    serializer_class = UnitSerializer
    filterset_fields = ["kind", "agency_type", "stationing"]

    def get_queryset(self):
        return (
            Unit.objects.visible_to(self.request.user)
            .select_related("division")
            .prefetch_related(
                Prefetch("serves", queryset=Division.objects.only("id", "code")),
                Prefetch("function_areas", queryset=FunctionArea.objects.order_by("kind")),
            )
            .order_by("division__path", "kind", "name")
        )


class MeView(APIView):
    """Who the caller is: unit, roles and the org-tree paths of their scope."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        paths = scope_paths(user)
        user.scope = (
            [root.code for root in scope_roots(user)]
            if paths is None
            else [path.strip("/").split("/")[-1] for path in paths]
        )
        return Response(MeSerializer(user).data)
