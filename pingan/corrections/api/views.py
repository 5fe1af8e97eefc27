"""The corrections API: the same services, scopes and errors as the pages (X4)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from pingan.core.actions import perform
from pingan.core.errors import ApplicationError
from pingan.orgs.access import has_role

from .. import actions, chain, rules, selectors, services
from ..filtersets import EvidenceFileFilter, ReleaseFilter
from ..models import (
    Employer,
    EnforcementRecord,
    EvidenceFile,
    EvidenceItem,
    FundEntry,
    Prison,
    Release,
)
from . import serializers as s


def _prison(code: str) -> Prison:
    prison = Prison.objects.filter(code=code).first()
    if prison is None:
        raise ApplicationError(_("没有代码为 {code} 的监狱。").format(code=code))
    return prison


class ReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Releases the caller may see: a prison its own, the receiving side its scope."""

    filterset_class = ReleaseFilter

    def get_queryset(self):
        releases = Release.objects.visible_to(self.request.user).select_related(
            "prison", "grid", "responsible"
        )
        if self.action == "retrieve":
            releases = releases.prefetch_related("events__actor")
        return releases.order_by("-release_date", "-id")

    def get_serializer_class(self):
        return s.ReleaseDetailSerializer if self.action != "list" else s.ReleaseSerializer

    @extend_schema(request=s.ReleaseCreateSerializer, responses={201: s.ReleaseDetailSerializer})
    def create(self, request):
        """A prison registers an upcoming release (刑释衔接)."""
        data = s.ReleaseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["prison"] = _prison(fields["prison"])
        release = perform(actions.REGISTER, None, request.user, fields)
        return Response(
            s.ReleaseDetailSerializer(self.get_queryset().get(pk=release.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def _act(self, request, declared, obj=None):
        """Run a declared release action on the release (or ``obj``) with the serializer's data."""
        release = self.get_object()
        data = declared.serializer(data=request.data) if declared.serializer else None
        if data is not None:
            data.is_valid(raise_exception=True)
        perform(declared, obj or release, request.user, dict(data.validated_data) if data else {})
        return Response(s.ReleaseDetailSerializer(self.get_queryset().get(pk=release.pk)).data)

    @extend_schema(request=s.ArrivalSerializer, responses={200: s.ReleaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def arrive(self, request, pk=None):
        """The receiving community confirms the person has reported (报到)."""
        return self._act(request, actions.ARRIVE)

    @extend_schema(request=s.FollowupSerializer, responses={200: s.ReleaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def followup(self, request, pk=None):
        """Record social-insurance enrolment and reoffending, after the arrival."""
        return self._act(request, actions.FOLLOWUP)

    @extend_schema(request=s.PlacementSerializer, responses={200: s.ReleaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def placement(self, request, pk=None):
        """Record a job placement with one of the district's employers, after the arrival."""
        return self._act(request, actions.PLACEMENT)

    @extend_schema(request=s.FundSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def fund(self, request, pk=None):
        """Record a reserve-fund contribution or disbursement; the street's leaders are told
        to approve it."""
        release = self.get_object()
        data = s.FundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = perform(actions.FUND, release, request.user, dict(data.validated_data))
        balance, pending = services.fund_balance(release)
        return Response(
            {"entry": entry.pk, "balance": str(balance), "pending": str(pending)},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: s.ReleaseDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"fund/(?P<entry>[^/]+)/approve")
    def fund_approve(self, request, pk=None, entry=None):
        """A leader of the receiving street approves a reserve-fund entry (never their own)."""
        release = self.get_object()
        item = get_object_or_404(FundEntry, pk=entry, release=release)
        return self._act(request, actions.FUND_APPROVE, obj=item)


class EvidenceFileViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """减假暂 evidence files: a prison's officers work on them, auditors read them."""

    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    filterset_class = EvidenceFileFilter

    def get_queryset(self):
        files = EvidenceFile.objects.visible_to(self.request.user).select_related("prison")
        if self.action == "retrieve":
            files = files.prefetch_related("items__reviewer", "items__second_reviewer")
        return files.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return s.EvidenceFileDetailSerializer if self.action != "list" else s.EvidenceFileSerializer

    def _detail(self, file: EvidenceFile) -> Response:
        return Response(s.EvidenceFileDetailSerializer(self.get_queryset().get(pk=file.pk)).data)

    @extend_schema(
        request=s.EvidenceFileCreateSerializer, responses={201: s.EvidenceFileDetailSerializer}
    )
    def create(self, request):
        data = s.EvidenceFileCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.update(
            prison=_prison(fields["prison"]),
            items=[(i["title"], i["source"], i["required"]) for i in fields["items"]],
        )
        file = perform(actions.OPEN_FILE, None, request.user, fields)
        return Response(
            s.EvidenceFileDetailSerializer(self.get_queryset().get(pk=file.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    def _item(self, file: EvidenceFile, item_id: str) -> EvidenceItem:
        return get_object_or_404(EvidenceItem.objects.select_related("file"), pk=item_id, file=file)

    @extend_schema(request=s.ReviewSerializer, responses={200: s.EvidenceFileDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"items/(?P<item>\d+)/review")
    def review(self, request, number=None, item=None):
        """First review of one item against 真实性、完整性、关联性."""
        file = self.get_object()
        data = s.ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(
            actions.REVIEW_ITEM, self._item(file, item), request.user, dict(data.validated_data)
        )
        return self._detail(file)

    @extend_schema(request=None, responses={200: s.EvidenceFileDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"items/(?P<item>\d+)/confirm")
    def confirm(self, request, number=None, item=None):
        """Second review (复核) of one item, by another officer."""
        file = self.get_object()
        perform(actions.CONFIRM_ITEM, self._item(file, item), request.user, {})
        return self._detail(file)

    @extend_schema(request=s.ConcludeSerializer, responses={200: s.EvidenceFileDetailSerializer})
    @action(detail=True, methods=["post"])
    def conclude(self, request, number=None):
        file = self.get_object()
        data = s.ConcludeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(actions.CONCLUDE_FILE, file, request.user, dict(data.validated_data))
        return self._detail(file)

    @extend_schema(responses={200: s.ChainReportSerializer})
    @action(detail=True, methods=["get"])
    def verify(self, request, number=None):
        """Recompute the file's record chain now."""
        report = chain.verify_chain(self.get_object())
        return Response(s.ChainReportSerializer(report).data)

    @extend_schema(responses={200: s.RecordSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def records(self, request, number=None):
        file = self.get_object()
        return Response(s.RecordSerializer(file.records.order_by("sequence"), many=True).data)

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def bundle(self, request, number=None):
        """The file's records and hashes as one document that can be verified offline."""
        return Response(selectors.bundle(self.get_object()))

    @extend_schema(request=None, responses={403: None})
    @action(
        detail=True,
        methods=["put", "patch", "delete"],
        url_path=r"records/(?P<sequence>\d+)",
    )
    def change_record(self, request, number=None, sequence=None):
        """Records are append-only: any change or deletion is refused, and the attempt logged."""
        file = self.get_object()
        record = get_object_or_404(EnforcementRecord, file=file, sequence=sequence)
        attempt = _("删除") if request.method == "DELETE" else _("修改")
        services.record_refuse_change(record=record, actor=request.user, action=attempt)


class EmployerViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The district's list of employers willing to hire released persons (接收企业名单), for
    the receiving side; ``?q=`` matches the name or the jobs."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = Employer.objects.none()

    serializer_class = s.EmployerSerializer

    def get_queryset(self):
        if not has_role(self.request.user, *rules.RECEIVING):
            raise PermissionDenied(_("您的角色不能查看接收企业名单。"))
        return selectors.employers((self.request.query_params.get("q") or "").strip())

    @extend_schema(
        request=s.EmployerCreateSerializer,
        responses={201: s.EmployerSerializer},
        operation_id=actions.EMPLOYER_ADD.operation,
    )
    def create(self, request):
        """Add an employer to the list: the same declared action as the employers page's."""
        employers = self.get_queryset()  # the role first, as on the page
        data = s.EmployerCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        employer = perform(actions.EMPLOYER_ADD, None, request.user, dict(data.validated_data))
        return Response(
            s.EmployerSerializer(employers.get(pk=employer.pk)).data,
            status=status.HTTP_201_CREATED,
        )
