"""One profile by id, if the user may see it; and what the user is to that profile."""

from django.http import Http404

from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import RoleCode

from .models import Profile

SELF = "self"
MENTOR = "mentor"
HEAD = "department_head"
COMMITTEE = "committee"


def access_profile(pk, user) -> Profile:
    """The profile if the user may see it; 404 when it is missing or out of scope alike."""
    try:
        return (
            Profile.objects.visible_to(user)
            .select_related(
                "staff", "unit__division", "department__head", "cohort", "mentor", "stage"
            )
            .get(pk=pk)
        )
    except (Profile.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def relations(user, profile: Profile) -> frozenset[str]:
    """How the user stands to this assistant: themself, mentor, department head, committee.

    A superuser counts as every relation except ``self``."""
    if not user.is_authenticated:
        return frozenset()
    found = set()
    if user.is_superuser:
        return frozenset({MENTOR, HEAD, COMMITTEE})
    if profile.staff_id == user.pk:
        found.add(SELF)
    if profile.mentor_id == user.pk:
        found.add(MENTOR)
    if profile.department.head_id == user.pk:
        found.add(HEAD)
    if has_role(user, RoleCode.TALENT_COMMITTEE) and in_scope(user, profile.unit.division.path):
        found.add(COMMITTEE)
    return frozenset(found)


def oversees(user) -> bool:
    """May the user open the cohort pages (mentors, department heads, the committee)?"""
    return has_role(user, RoleCode.MENTOR, RoleCode.DEPARTMENT_HEAD, RoleCode.TALENT_COMMITTEE)
