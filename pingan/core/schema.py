"""What the OpenAPI schema needs told about our own classes (drf-spectacular extensions)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    """Our knox token authentication: ``Authorization: Token <token>`` (docs/api.md)."""

    target_class = "pingan.core.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Token-based authentication: `Authorization: Token <token>` "
            "(POST /api/auth/tokens/ with a username and password issues one).",
        }
