"""API plumbing shared by every app."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import ApplicationError


def exception_handler(exc, context):
    """Domain errors become a 4xx with the clerk-facing message in ``detail``."""
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status_code)
    return drf_exception_handler(exc, context)


_DETAIL_DESCRIPTION = gettext_lazy("中文说明")
_ERROR_BODY = {
    "type": "object",
    "properties": {"detail": {"type": "string", "description": _DETAIL_DESCRIPTION}},
    "additionalProperties": True,
}
_ERRORS = {
    "400": gettext_lazy("输入有误，或当前状态不允许此操作"),
    "401": gettext_lazy("未登录或令牌无效"),
    "403": gettext_lazy("角色或单位不允许"),
    "404": gettext_lazy("不存在，或不在您的工作范围内（两者不作区分）"),
    "409": gettext_lazy("已被他人更新，请刷新后重试"),
    "415": gettext_lazy("请求内容的格式（Content-Type）不受支持，或无法解析"),
    "422": gettext_lazy("该 Idempotency-Key 已用于另一个请求"),
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular hook: document the errors every endpoint can answer with, so clients
    (and schemathesis) know a 4xx is part of the contract, not a surprise."""
    error_body = {
        **_ERROR_BODY,
        "properties": {"detail": {"type": "string", "description": str(_DETAIL_DESCRIPTION)}},
    }
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            for code, description in _ERRORS.items():
                if code in ("409", "415") and method == "get":
                    continue
                if code == "415" and "requestBody" not in operation:
                    continue
                if code == "422" and "Idempotency-Key" not in headers:
                    continue
                responses.setdefault(
                    code,
                    {
                        "description": str(description),
                        "content": {"application/json": {"schema": error_body}},
                    },
                )
    return result


def validated(serializer_class, data) -> dict:
    """The input ``serializer_class`` accepts from ``data``; 400 with its field messages
    otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def declared_operations(viewset, actions, *, response, owner: str) -> None:
    """Make every declared action an operation of ``viewset``: ``POST …/{id}/<action>/``
    taking the action's serializer and answering ``response``; the viewset's
    ``_act(request, declared)`` runs it through ``core.actions.perform``."""
    for declared in actions:

        def handler(self, request, declared=declared, **kwargs):
            return self._act(request, declared)

        handler.__name__ = declared.name
        handler.__doc__ = f"{declared.label}: the same declared action as the {owner} page's."
        # extend_schema goes on top of @action, as drf-spectacular documents, or it is ignored
        operation = extend_schema(
            request=declared.serializer,
            responses={200: response},
            operation_id=declared.operation,
            summary=str(declared.label),
        )(action(detail=True, methods=["post"], url_path=declared.url_path)(handler))
        setattr(viewset, declared.name, operation)
