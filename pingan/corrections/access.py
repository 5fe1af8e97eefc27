"""Who may open what in corrections: one release or evidence file by key (404 outside what the
user may see, as everywhere), and the role gates of the pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from pingan.orgs.access import has_role
from pingan.orgs.models import Division

from . import rules
from .models import EvidenceFile, Release


def require_role(user, *roles) -> None:
    if not has_role(user, *roles):
        raise PermissionDenied


def is_prison_officer(user) -> bool:
    return user.is_superuser or user.prisons.exists()


def access_release(pk: int, user) -> Release:
    """A release its prison or its receiving area may see."""
    release = (
        Release.objects.visible_to(user)
        .select_related("prison", "grid__parent__parent", "responsible")
        .filter(pk=pk)
        .first()
    )
    if release is None:
        raise Http404
    return release


def access_file(number: str, user) -> EvidenceFile:
    """An evidence file its prison's officers (or an auditor) may see."""
    file = (
        EvidenceFile.objects.visible_to(user)
        .select_related("prison", "concluded_by")
        .filter(number=number)
        .first()
    )
    if file is None:
        raise Http404
    return file


def place_scope(user):
    """The divisions a user may pick a release's grid from: a prison names any grid of the
    district, the receiving side its own area."""
    if is_prison_officer(user):
        return Division.objects.all()
    require_role(user, *rules.RECEIVING)
    return Division.objects.visible_to(user)
