"""The case API: the same services, permissions and errors as the pages (X4)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from pingan.core.actions import Action, perform
from pingan.core.api import declared_operations
from pingan.core.idempotency import IDEMPOTENCY_PARAMETER, idempotent
from pingan.core.validators import parse_pk
from pingan.orgs.access import has_role

from .. import actions, routing, rules, selectors
from ..access import access_supervision
from ..actions import ACTIONS, MERGE_VISIT, RECEIPT_REISSUE, REGISTER
from ..choices import SupervisionState
from ..filtersets import CaseApiFilter
from ..models import Case, Category, DeadlinePolicy, Supervision
from ..services import PartyInput, party_number_reveal
from . import serializers as s


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Cases the caller may see; actions are POSTs to /api/cases/{number}/{action}/."""

    lookup_field = "number"
    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON
    filterset_class = CaseApiFilter

    def get_queryset(self):
        cases = Case.objects.visible_to(self.request.user).select_related(
            "category", "grid", "handling_unit"
        )
        if self.action == "retrieve":
            cases = cases.prefetch_related("parties", "events__actor", "events__unit", "referrals")
        return cases.order_by("-registered_at", "-id")

    def get_serializer_class(self):
        return s.CaseDetailSerializer if self.action == "retrieve" else s.CaseSerializer

    def get_serializer(self, *args, **kwargs):
        words = selectors.DeadlineWords(now=timezone.now())
        if args and args[0] is not None:
            items = args[0] if isinstance(args[0], list | tuple) else [args[0]]
            for item in items:
                if isinstance(item, Case):
                    words.label(item)
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        request=s.CaseCreateSerializer,
        responses={201: s.CaseCreatedSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
    )
    @idempotent
    def create(self, request):
        """Register a matter (one-window intake). The response carries the query code once
        and the routing suggestions (分流推荐), best first."""
        data = s.CaseCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        parties = [PartyInput(**party) for party in fields.pop("parties")]
        # The routing suggestion the intake page shows; its first unit is recorded as the
        # suggested one (whether the case went there is kept, as for the page).
        suggestions = routing.suggest(
            narrative=fields["narrative"], category=fields["category"], grid=fields["grid"]
        )
        area = routing.suggest_area(
            narrative=fields["narrative"],
            grid=fields["grid"],
            suggestions=suggestions,
            category=fields["category"],
        )
        case, code = perform(
            REGISTER,
            None,
            request.user,
            {
                **fields,
                "parties": parties,
                "suggested_unit": suggestions[0].unit if suggestions else None,
                "suggested_area": area.kind if area else "",
            },
        )
        selectors.DeadlineWords(now=timezone.now()).label(case)
        case.query_code = code
        case.suggestions = suggestions
        case.area_reason = area.reason if area else ""
        return Response(s.CaseCreatedSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.PendingExtensionSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def approvals(self, request):
        """待我审批: extension requests awaiting a leader's decision, oldest first."""
        if not has_role(request.user, *rules.CASE.roles("extension_decide")):
            raise PermissionDenied(_("只有领导可以审批延期申请。"))
        page = self.paginate_queryset(selectors.pending_extensions(request.user))
        return self.get_paginated_response(s.PendingExtensionSerializer(page, many=True).data)

    @extend_schema(responses={200: s.CaseSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def escalations(self, request):
        """上提待分派: cases escalated to the leader's unit that nobody there has taken on
        yet, the earliest deadline first (hand one on with ``{number}/assign/``)."""
        if not has_role(request.user, *rules.CASE.roles("extension_decide")):
            raise PermissionDenied(_("只有领导可以查看待分派的上提事项。"))
        page = self.paginate_queryset(selectors.escalations_to_take(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=s.PartyRevealSerializer,
        responses={200: s.PartyNumberSerializer},
        operation_id="cases_party_reveal",
    )
    @action(detail=True, methods=["post"], url_path=r"parties/(?P<party>[^/]+)/reveal")
    def party_reveal(self, request, number=None, party=None):
        """A party's full ID number or phone (查看完整号码), for the roles that contact parties
        and the case's handler; the read and its reason go into the audit log."""
        case = get_object_or_404(self.get_queryset(), number=number)
        target = get_object_or_404(case.parties.all(), pk=parse_pk(party))
        data = s.PartyRevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        value = party_number_reveal(party=target, actor=request.user, **data.validated_data)
        return Response({"field": data.validated_data["field"], "value": value})

    @extend_schema(
        request=None,
        responses={200: s.QueryCodeSerializer},
        operation_id="cases_receipt_reissue_create",
    )
    @action(detail=True, methods=["post"], url_path="receipt-reissue")
    def receipt_reissue(self, request, number=None):
        """补打回执: a new query code for the citizen's reprinted receipt (the front desk of a
        unit that may act on the case); the old code stops working."""
        case = get_object_or_404(self.get_queryset(), number=number)
        code = perform(RECEIPT_REISSUE, case, request.user, {})
        return Response({"number": case.number, "query_code": code})

    def _act(self, request, declared: Action):
        number = self.kwargs["number"]
        case = get_object_or_404(self.get_queryset(), number=number)
        data = declared.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(declared, case, request.user, dict(data.validated_data))
        case = get_object_or_404(
            self.get_queryset().prefetch_related("parties", "events", "referrals"), number=number
        )
        selectors.DeadlineWords(now=timezone.now()).label(case)
        return Response(s.CaseDetailSerializer(case).data)


# Every declared action is an operation: /api/cases/{number}/{action}/ (POST).
declared_operations(CaseViewSet, ACTIONS.values(), response=s.CaseDetailSerializer, owner="case")
declared_operations(CaseViewSet, [MERGE_VISIT], response=s.CaseDetailSerializer, owner="intake")


class _ConfigurationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Configuration everyone who works on cases reads and the administrator changes (the
    admin site offers the same changes as pages)."""

    change: Action
    pagination_class = None  # a few dozen rows at most

    @extend_schema(responses={200: None})
    def partial_update(self, request, **kwargs):
        obj = self.get_object()
        data = self.change.serializer(instance=obj, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changed = perform(self.change, obj, request.user, dict(data.validated_data))
        return Response(self.get_serializer(changed).data)


class CategoryViewSet(mixins.CreateModelMixin, _ConfigurationViewSet):
    """事项类别: the categories of matter intake offers (``?active=true`` for those only)."""

    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    serializer_class = s.CategorySerializer
    change = actions.CATEGORY_CHANGE

    def get_queryset(self):
        categories = Category.objects.order_by("sort_order", "code")
        if self.request.query_params.get("active") in ("true", "1"):
            categories = categories.filter(is_active=True)
        return categories

    @extend_schema(request=s.CategoryAddSerializer, responses={201: s.CategorySerializer})
    def create(self, request):
        """Add a category (administrator); the reason goes into the audit log."""
        data = s.CategoryAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = perform(actions.CATEGORY_ADD, None, request.user, dict(data.validated_data))
        return Response(s.CategorySerializer(category).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.CategoryChangeSerializer, responses={200: s.CategorySerializer})
    def partial_update(self, request, **kwargs):
        """Change a category (administrator): send only the fields to change, the version
        you read and why. Switching it off keeps the cases that use it."""
        return super().partial_update(request, **kwargs)


class DeadlineRuleViewSet(_ConfigurationViewSet):
    """时限规则: one per complexity (general 7 days, complex 30 by default)."""

    lookup_field = "complexity"
    lookup_value_regex = "[^/]+"
    serializer_class = s.DeadlineRuleSerializer
    queryset = DeadlinePolicy.objects.order_by("days", "complexity")
    change = actions.DEADLINE_RULE_CHANGE

    @extend_schema(
        request=s.DeadlineRuleChangeSerializer, responses={200: s.DeadlineRuleSerializer}
    )
    def partial_update(self, request, **kwargs):
        """Change a time limit (administrator): cases registered before keep theirs."""
        return super().partial_update(request, **kwargs)


class SupervisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """督办单: ``?box=mine`` (督办我的, the default) or ``?box=issued`` (我督办的), ``?state=``;
    answer with ``{id}/answer/`` (the supervised unit) and close with ``{id}/close/`` (the
    supervisor)."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = Supervision.objects.none()

    serializer_class = s.SupervisionSerializer

    def get_queryset(self):
        box = self.request.query_params.get("box", "mine")
        if box not in selectors.SUPERVISION_BOXES:
            raise ValidationError({"box": _("只能是 mine（督办我的）或 issued（我督办的）。")})
        state = self.request.query_params.get("state", "")
        if state and state not in SupervisionState.values:
            raise ValidationError({"state": _("没有这个状态。")})
        return selectors.supervisions(self.request.user, box=box, state=state)

    def get_object(self):
        return access_supervision(self.kwargs["pk"], self.request.user)

    def _act(self, request, declared: Action):
        order = self.get_object()
        data = declared.serializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(declared, order, request.user, dict(data.validated_data))
        return Response(s.SupervisionSerializer(self.get_object()).data)


declared_operations(
    SupervisionViewSet,
    actions.SUPERVISION_ACTIONS.values(),
    response=s.SupervisionSerializer,
    owner="supervision order",
)
