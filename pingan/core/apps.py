from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    # This module holds AxesConfig too: Django takes the one marked default for "pingan.core".
    default = True
    name = "pingan.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.utils.module_loading import autodiscover_modules
        from huey.contrib.djhuey import HUEY

        from . import schema, tables  # noqa: F401  (schema extensions; tables2's cell signatures)
        from .metrics import connect_job_signals
        from .middleware import SlidingSessionMiddleware

        connect_job_signals(HUEY)
        autodiscover_modules("home")  # each app's home-page panels (pingan.core.home)
        user_logged_in.connect(SlidingSessionMiddleware.signed_in, dispatch_uid="sliding_session")


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin (its models' names are translated in
    locale/zh_Hans, which holds only third-party strings: the product's own are Chinese)."""

    verbose_name = _("登录失败锁定")
