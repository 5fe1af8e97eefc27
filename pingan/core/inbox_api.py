"""The inbox through the API (X5): integrations and phones follow the caller's own notices as
the inbox page shows them, and mark them read. Nobody sees anyone else's notices: another
person's notice is a 404, as for objects out of scope."""

from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from . import notify
from .actions import Action, perform
from .forms import DigestForm
from .models import Notice


class DigestSerializer(serializers.Serializer):
    digest = serializers.BooleanField(
        help_text="true: one text a day sums up routine notices; supervision is texted at once"
    )


# A person's own choice of how routine notices reach them by text (每日汇总).
DIGEST = Action(
    name="notice_digest",
    operation="notices_digest_create",
    label=gettext_lazy("短信提醒方式"),
    service=lambda _none, actor, data: notify.notice_digest_set(staff=actor, digest=data["digest"]),
    form=DigestForm,
    serializer=DigestSerializer,
    quiet="a person's own preference; nobody else's work changes",
)


class NoticeSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "read"]


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's notices, newest first; ``?unread=true`` for the unread ones only."""

    # the schema reads the model here; the rows always come from get_queryset()
    queryset = Notice.objects.none()

    serializer_class = NoticeSerializer
    lookup_value_regex = "[^/]+"  # any text reaches the view, which answers 404 in JSON

    def get_queryset(self):
        notices = Notice.objects.filter(recipient=self.request.user).order_by("-created_at", "-id")
        if self.action == "list" and self.request.query_params.get("unread") in ("true", "1"):
            notices = notices.filter(read_at__isnull=True)
        return notices

    @extend_schema(parameters=[OpenApiParameter("unread", bool, description="unread only")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: NoticeSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notice read (reading it again changes nothing)."""
        notice = notify.notice_mark_read(notice=self.get_object(), now=timezone.now())
        return Response(NoticeSerializer(notice).data)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("ReadAll", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notice of the caller read; answers how many were unread."""
        marked = notify.notices_mark_all_read(recipient=request.user, now=timezone.now())
        return Response({"marked": marked})

    @extend_schema(request=DigestSerializer, responses={200: DigestSerializer})
    @action(detail=False, methods=["post"])
    def digest(self, request):
        """Choose one text a day summing up routine notices (true) or one text each (false);
        supervision (督办) is always texted at once."""
        data = DigestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(DIGEST, None, request.user, dict(data.validated_data))
        return Response({"digest": request.user.notice_digest})


router = DefaultRouter(trailing_slash=True)
router.register("notices", NoticeViewSet, basename="notice")
urlpatterns = router.urls
