from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CorrectionsConfig(AppConfig):
    name = "pingan.corrections"
    label = "corrections"
    verbose_name = _("刑释衔接与执法证据")
