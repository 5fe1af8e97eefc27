"""The core app's own configuration is the one Django uses (its module also holds the one that
names django-axes in Chinese)."""

from django.apps import apps

from pingan.core.apps import AxesConfig, CoreConfig


def test_core_and_axes_run_their_own_configurations():
    assert type(apps.get_app_config("core")) is CoreConfig
    assert type(apps.get_app_config("axes")) is AxesConfig
    assert str(apps.get_app_config("core").verbose_name) == "基础"
