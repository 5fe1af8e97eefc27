"""Login, logout and password change pages (Chinese templates; lockout by django-axes)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import LoginForm
from .views import PasswordChange

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChange.as_view(), name="password-change"),
]
