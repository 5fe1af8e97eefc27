"""Signing in through the API and managing one's tokens (X5, X6).

``POST /api/auth/token/`` takes a username, a password, the device's name and, where the
person's role needs two factors, the authenticator's code; it answers a new token, shown this
once. ``/api/auth/tokens/`` lists the caller's tokens (an administrator's, everyone's) and
revokes them. ``/api/auth/two-factor/reset/`` is an administrator's reset of a person's
second factor.
"""

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action, api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Staff

from . import forms, tokens, twofactor
from .actions import Action, Handoff, perform
from .errors import ApplicationError
from .models import ApiToken


class TokenSerializer(serializers.ModelSerializer):
    key = serializers.SerializerMethodField(help_text="the token's first 8 characters")
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["key", "name", "user", "created", "expiry", "last_used_at"]

    def get_key(self, token) -> str:
        return token.token_key[: tokens.KEY_SHOWN]


class NewTokenSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=tokens.NAME_LIMIT, help_text="the device or use")


class IssuedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="send as `Authorization: Token …`; shown once")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]


class SignInSerializer(NewTokenSerializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="the authenticator's code or a recovery code, where the role needs two factors",
    )


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="required when revoking someone else's token",
    )


class ResetSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    reason = serializers.CharField(max_length=500)


def _told_owner(token, actor, data) -> list:
    return [token.user] if token.user_id != actor.pk else []


TOKEN_ISSUE = Action(
    name="token_issue",
    operation="auth_tokens_create",
    label=gettext_lazy("新建令牌"),
    service=lambda _none, actor, data: tokens.token_issue(
        actor=actor, name=data["name"], now=timezone.now()
    ),
    form=forms.TokenForm,
    serializer=NewTokenSerializer,
    quiet="a person's own credential; nobody else's work changes",
)
TOKEN_REVOKE = Action(
    name="token_revoke",
    operation="auth_tokens_revoke_create",
    label=gettext_lazy("撤销"),
    style="outline-danger",
    service=lambda token, actor, data: tokens.token_revoke(
        actor=actor, token=token, reason=data.get("reason", "")
    ),
    form=forms.TokenRevokeForm,
    serializer=RevokeSerializer,
    tell=Handoff(
        kind="token_revoked",
        recipients=_told_owner,
        message=lambda token, actor, data: (
            _("您的接口令牌“%(name)s”已被管理员撤销") % {"name": token.name},
            data.get("reason", ""),
        ),
        url=lambda token: reverse("tokens"),
    ),
)
TWO_FACTOR_RESET = Action(
    name="two_factor_reset",
    operation="auth_two_factor_reset_create",
    label=gettext_lazy("重置双因素认证"),
    style="outline-danger",
    allowed=[RoleCode.ADMINISTRATOR],
    service=lambda staff, actor, data: twofactor.reset(
        actor=actor, staff=staff, reason=data["reason"]
    ),
    form=forms.TwoFactorResetForm,
    serializer=ResetSerializer,
    tell=Handoff(
        kind="two_factor_reset",
        recipients=lambda staff, actor, data: [staff],
        message=lambda staff, actor, data: (
            _("您的双因素认证已被管理员重置，下次登录时请重新设置"),
            data.get("reason", ""),
        ),
        url=lambda staff: reverse("two-factor"),
    ),
)


def _issued(token: ApiToken, text: str) -> dict:
    return {**TokenSerializer(token).data, "token": text}


@extend_schema(
    operation_id="auth_token_create",
    request=SignInSerializer,
    responses={200: IssuedSerializer},
    auth=[],
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([])
def sign_in(request):
    """A new token for a device, against the person's password (and two-factor code). Wrong
    passwords count towards the account's lockout, as on the sign-in page."""
    data = SignInSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    fields = data.validated_data
    user = authenticate(request, username=fields["username"], password=fields["password"])
    if user is None:
        raise ApplicationError(_("用户名或密码不正确。"))
    if twofactor.required(user):
        if not twofactor.enrolled(user):
            raise ApplicationError(_("您的角色须使用双因素认证，请先在网页上设置手机验证器。"))
        if not fields.get("otp"):
            raise ApplicationError(_("请填写手机验证器上的验证码（otp）。"))
        twofactor.verify(user=user, code=fields["otp"])
    token, text = perform(TOKEN_ISSUE, None, user, {"name": fields["name"]})
    return Response(_issued(token, text))


class TokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's tokens, newest first (an administrator's list holds everyone's;
    ``?user=`` narrows it to one person)."""

    serializer_class = TokenSerializer
    lookup_field = "token_key"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        visible = ApiToken.objects.visible_to(self.request.user)
        if self.action == "list" and self.request.query_params.get("user"):
            visible = visible.filter(user__username=self.request.query_params["user"])
        return visible

    def get_object(self):
        return tokens.token_find(self.request.user, self.kwargs["token_key"])

    @extend_schema(parameters=[OpenApiParameter("user", str, description="one person's tokens")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=NewTokenSerializer, responses={200: IssuedSerializer})
    def create(self, request):
        """A new token for another device or an integration, shown this once."""
        data = NewTokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, text = perform(TOKEN_ISSUE, None, request.user, dict(data.validated_data))
        return Response(_issued(token, text))

    @extend_schema(request=RevokeSerializer, responses={200: TokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, token_key=None):
        """Revoke a token: it stops working at once."""
        token = self.get_object()
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        perform(TOKEN_REVOKE, token, request.user, dict(data.validated_data))
        return Response(TokenSerializer(token).data)


class ResetDoneSerializer(serializers.Serializer):
    username = serializers.CharField()
    reset_at = serializers.DateTimeField()


@extend_schema(
    operation_id="auth_two_factor_reset_create",
    request=ResetSerializer,
    responses={200: ResetDoneSerializer},
)
@api_view(["POST"])
def two_factor_reset(request):
    """An administrator removes a person's authenticator and recovery codes (a lost phone)."""
    data = ResetSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    staff = get_object_or_404(Staff, username=data.validated_data["username"])
    perform(TWO_FACTOR_RESET, staff, request.user, dict(data.validated_data))
    return Response({"username": staff.username, "reset_at": timezone.now()})


router = SimpleRouter()
router.register("auth/tokens", TokenViewSet, basename="api-token")
urlpatterns = [
    path("auth/token/", sign_in, name="api-token"),
    path("auth/two-factor/reset/", two_factor_reset, name="api-two-factor-reset"),
    *router.urls,
]
