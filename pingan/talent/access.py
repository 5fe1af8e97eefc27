"""One profile by id, if the user may see it; and what the user is to that profile."""

from django.http import Http404

from pingan.orgs.access import has_role, in_scope
from pingan.orgs.choices import RoleCode

from .models import Profile

SELF = "self"
MENTOR = "mentor"
HEAD = "department_head"
COMMITTEE = "committee"

# Who may take each profile action (``talent.actions``), by how they stand to the assistant:
# the services refuse everyone else, the profile page offers the action to these alone.
# Evaluations are open to peers of the same cohort too, which ``services.evaluation_submit``
# decides; the page offers them to the three below.
MAY: dict[str, frozenset[str]] = {
    "study": frozenset({SELF, MENTOR}),
    "study_confirm": frozenset({MENTOR}),
    "milestone": frozenset({SELF, MENTOR}),
    "milestone_confirm": frozenset({MENTOR}),
    "points": frozenset({SELF, MENTOR, HEAD, COMMITTEE}),
    "points_decide": frozenset({MENTOR, HEAD, COMMITTEE}),
    "activity": frozenset({SELF, MENTOR, HEAD}),
    "rotation": frozenset({MENTOR, HEAD, COMMITTEE}),
    "rotation_case": frozenset({SELF, MENTOR, HEAD}),
    "rotation_entered": frozenset({MENTOR, HEAD}),
    "evaluation": frozenset({SELF, MENTOR, HEAD}),
    "stage": frozenset({COMMITTEE}),
    "mentor": frozenset({HEAD, COMMITTEE}),
    "transfer": frozenset({COMMITTEE}),
    "outcome": frozenset({HEAD, COMMITTEE}),
}


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
