"""One dispatcher from an action name to its service, shared by the pages and the API."""

from pingan.core.errors import ApplicationError

from . import services
from .models import Case


def run_action(action: str, case: Case, user, data: dict):
    """Call the service for an action with cleaned form or serializer data."""
    version, reason = data.get("version"), data.get("reason", "")
    common = {"case": case, "actor": user, "expected_version": version}
    if action == "accept":
        return services.case_accept(**common, reason=reason)
    if action == "reject":
        return services.case_reject(**common, reason=reason)
    if action == "assign":
        return services.case_assign(
            **common, unit=data.get("unit"), handler=data.get("handler"), reason=reason
        )
    if action == "start_mediation":
        return services.case_start_mediation(**common, reason=reason)
    if action == "conclude":
        return services.case_conclude(
            **common,
            outcome=data["outcome"],
            summary=reason,
            legal_route=data.get("legal_route", ""),
        )
    if action == "follow_up":
        return services.case_follow_up(**common, satisfaction=data["satisfaction"], note=reason)
    if action == "archive":
        return services.case_archive(**common, reason=reason)
    if action == "escalate":
        return services.case_escalate(**common, reason=reason)
    if action == "assign_down":
        return services.case_assign_down(**common, level=data["level"], reason=reason)
    if action == "joint":
        return services.case_add_joint_units(**common, units=list(data["units"]), reason=reason)
    if action == "extension_request":
        return services.extension_request(case=case, actor=user, days=data["days"], reason=reason)
    if action == "extension_decide":
        extension = case.extensions.get(state="pending")
        return services.extension_decide(
            extension=extension,
            actor=user,
            approve=data["approve"],
            note=reason,
            expected_version=version,
        )
    if action == "judicial_confirmation":
        return services.case_confirm_judicially(**common, note=reason)
    raise ApplicationError("未知操作。")
