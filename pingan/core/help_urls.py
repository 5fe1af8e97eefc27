from django.urls import path

from . import help_views

app_name = "help"
urlpatterns = [
    path("", help_views.help_index, name="index"),
    path("page/", help_views.help_page, name="page"),
    path("guide.pdf", help_views.help_pdf, name="pdf"),
    path("<slug:slug>/", help_views.help_guide, name="guide"),
]
