"""The inbox (站内通知): the list, and marking notices read."""

from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("<int:pk>/read/", views.inbox_read, name="read"),
    path("read-all/", views.inbox_read_all, name="read-all"),
    path("digest/", views.inbox_digest, name="digest"),
]
