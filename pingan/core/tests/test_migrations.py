"""Every model change has its migration (a new role changed the choices of three models, and one
migration was missed until a hand check found it)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_without_its_migration():
    # makemigrations --check exits non-zero when a migration is missing
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
