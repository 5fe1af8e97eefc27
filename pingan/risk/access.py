"""Who may use risk monitoring and command, and one-object access (404 outside scope)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pingan.orgs.access import has_role

from .models import Instruction
from .querysets import MONITOR_ROLES


def require_monitor(user) -> None:
    if not has_role(user, *MONITOR_ROLES):
        raise PermissionDenied


def access_instruction(number: str, user) -> Instruction:
    """One instruction, if it is for a grid in the user's area or addressed to their unit."""
    try:
        return (
            Instruction.objects.visible_to(user)
            .select_related("grid", "unit", "issued_by", "warning")
            .get(number=number)
        )
    except Instruction.DoesNotExist:
        raise Http404 from None
