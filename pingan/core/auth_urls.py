"""Login, logout, password change, API tokens and two-factor pages (Chinese templates; lockout
by django-axes)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_views
from .views import Login, PasswordChange

urlpatterns = [
    path(
        "login/",
        Login.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChange.as_view(), name="password-change"),
    path("tokens/", account_views.token_list, name="tokens"),
    path("tokens/<str:key>/revoke/", account_views.token_revoke, name="token-revoke"),
    path("two-factor/", account_views.two_factor, name="two-factor"),
    path("two-factor/verify/", account_views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/recovery/", account_views.recovery_codes, name="two-factor-recovery"),
    path("two-factor/reset/<int:pk>/", account_views.two_factor_reset, name="two-factor-reset"),
]
