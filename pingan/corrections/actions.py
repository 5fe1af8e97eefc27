"""The corrections actions, declared once: the release and evidence-file pages and the API run
them through ``core.actions.perform``. A reserve-fund entry hands a decision to the street's
leaders, who are told, and their approval tells whoever recorded it; a first review tells the
prison's other officers that an item awaits their second review."""

import dataclasses

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import Action, Handoff
from pingan.orgs.choices import RoleCode, UnitKind
from pingan.orgs.models import Unit
from pingan.orgs.selectors import unit_staff

from . import forms, rules, services
from .api import serializers as s
from .models import EvidenceFile, EvidenceItem, FundEntry, Release


def _url(release: Release) -> str:
    return reverse("corrections:release-detail", args=[release.pk])


def _street_leaders(release: Release, actor, data: dict):
    """The leaders of the receiving street's center (grid -> community -> street)."""
    street = Unit.objects.filter(
        kind=UnitKind.STREET_CENTER, division__children__children=release.grid_id
    )
    return unit_staff(street, RoleCode.LEADER)


def _fund_message(release: Release, actor, data: dict) -> tuple[str, str]:
    return (
        _("储备金待审批：%(name)s") % {"name": release.name},
        _("%(actor)s登记了%(amount)s 元（%(purpose)s），请审批。")
        % {"actor": actor, "amount": data["amount"], "purpose": data["purpose"]},
    )


def _approved_message(entry: FundEntry, actor, data: dict) -> tuple[str, str]:
    return (
        _("储备金已批准：%(name)s") % {"name": entry.release.name},
        _("%(actor)s已批准%(amount)s 元（%(purpose)s）。")
        % {"actor": actor, "amount": entry.amount, "purpose": entry.purpose},
    )


def _register(_none, actor, data: dict) -> Release:
    """The page's form and the API's serializer give the same fields (the grid by its code)."""
    fields = {
        f.name: data[f.name] for f in dataclasses.fields(services.ReleaseInput) if f.name in data
    }
    return services.release_register(
        prison=data["prison"], actor=actor, data=services.ReleaseInput(**fields)
    )


REGISTER = Action(
    name="register",
    operation="releases_create",
    label=gettext_lazy("登记刑释人员"),
    allowed=(RoleCode.PRISON_OFFICER,),
    service=_register,
    form=forms.ReleaseForm,
    serializer=s.ReleaseCreateSerializer,
    quiet="the receiving community is told by the release-notice sweep, ahead of the date",
)
ARRIVE = Action(
    name="confirm_arrival",
    operation="releases_arrive_create",
    label=gettext_lazy("确认报到"),
    machine=rules.RELEASE,
    service=lambda release, actor, data: services.release_confirm_arrival(
        release=release,
        actor=actor,
        responsible=data["responsible"],
        note=data.get("note", ""),
        expected_version=data.get("version"),
    ),
    form=forms.ArrivalForm,
    serializer=s.ArrivalSerializer,
    quiet="the receiving community keeps the case of its own released person",
)
FOLLOWUP = Action(
    name="record_followup",
    operation="releases_followup_create",
    label=gettext_lazy("登记参保与回访"),
    machine=rules.RELEASE,
    service=lambda release, actor, data: services.release_record_followup(
        release=release,
        actor=actor,
        insurance_enrolled_on=data.get("insurance_enrolled_on"),
        insurance_kind=data.get("insurance_kind", ""),
        reoffended_on=data.get("reoffended_on"),
        expected_version=data.get("version"),
    ),
    form=forms.FollowupForm,
    serializer=s.FollowupSerializer,
    quiet="a record of the receiving community's own follow-up",
)
PLACEMENT = Action(
    name="record_placement",
    operation="releases_placement_create",
    label=gettext_lazy("登记就业安置"),
    machine=rules.RELEASE,
    service=lambda release, actor, data: services.placement_record(
        release=release, actor=actor, **data
    ),
    form=forms.PlacementForm,
    serializer=s.PlacementSerializer,
    quiet="a record of the receiving community's own placement",
)
FUND = Action(
    name="fund",
    operation="releases_fund_create",
    label=gettext_lazy("登记储备金"),
    # the prison pays the person's savings in (the service holds it to its own releases)
    allowed=(*rules.RECEIVING, RoleCode.PRISON_OFFICER),
    service=lambda release, actor, data: services.fund_record(release=release, actor=actor, **data),
    form=forms.FundForm,
    serializer=s.FundSerializer,
    tell=Handoff(kind="release", recipients=_street_leaders, message=_fund_message, url=_url),
)
FUND_APPROVE = Action(
    name="fund_approve",
    operation="releases_fund_approve_create",
    label=gettext_lazy("批准储备金"),
    allowed=(RoleCode.LEADER,),
    service=lambda entry, actor, data: services.fund_approve(entry=entry, actor=actor),
    tell=Handoff(
        kind="release",
        recipients=lambda entry, actor, data: [entry.recorded_by],
        message=_approved_message,
        url=lambda entry: _url(entry.release),
    ),
)


# --- evidence files (减假暂) --------------------------------------------------------------------


def _file_url(file: EvidenceFile) -> str:
    return reverse("corrections:file-detail", args=[file.number])


def _reviewed_message(item: EvidenceItem, actor, data: dict) -> tuple[str, str]:
    return (
        _("待复核：%(number)s %(title)s") % {"number": item.file.number, "title": item.title},
        _("%(actor)s已提交初审意见，请另一位民警复核。") % {"actor": actor},
    )


OPEN_FILE = Action(
    name="open_file",
    operation="evidence_files_create",
    label=gettext_lazy("新建案卷"),
    allowed=(RoleCode.PRISON_OFFICER,),
    # items as (title, source, required): the page's lines and the API's objects alike
    service=lambda _none, actor, data: services.evidence_file_open(actor=actor, **data),
    form=forms.EvidenceFileForm,
    serializer=s.EvidenceFileCreateSerializer,
    quiet="the file opens in the prison that keeps it; its reviews tell the other officers",
)
REVIEW_ITEM = Action(
    name="review_item",
    operation="evidence_files_items_review_create",
    label=gettext_lazy("初审"),
    allowed=(RoleCode.PRISON_OFFICER,),
    service=lambda item, actor, data: services.evidence_item_review(item=item, actor=actor, **data),
    form=forms.ReviewForm,
    serializer=s.ReviewSerializer,
    tell=Handoff(
        kind="evidence",
        recipients=lambda item, actor, data: item.file.prison.officers.filter(is_active=True),
        message=_reviewed_message,
        url=lambda item: _file_url(item.file),
    ),
)
CONFIRM_ITEM = Action(
    name="confirm_item",
    operation="evidence_files_items_confirm_create",
    label=gettext_lazy("复核"),
    allowed=(RoleCode.PRISON_OFFICER,),
    service=lambda item, actor, data: services.evidence_item_confirm(item=item, actor=actor),
    quiet="the second review completes the item within the prison",
)
CONCLUDE_FILE = Action(
    name="conclude",
    operation="evidence_files_conclude_create",
    label=gettext_lazy("审结"),
    machine=rules.EVIDENCE_FILE,
    service=lambda file, actor, data: services.evidence_file_conclude(
        file=file,
        actor=actor,
        conclusion=data["conclusion"],
        expected_version=data.get("version"),
    ),
    form=forms.ConcludeForm,
    serializer=s.ConcludeSerializer,
    quiet="the file's conclusion is the prison's own decision",
)


# --- employers (接收企业名单) -------------------------------------------------------------------

EMPLOYER_ADD = Action(
    name="employer_add",
    operation="corrections_employers_create",
    label=gettext_lazy("加入接收企业名单"),
    allowed=rules.RECEIVING,
    service=lambda _none, actor, data: services.employer_add(actor=actor, **data),
    form=forms.EmployerForm,
    serializer=s.EmployerCreateSerializer,
    quiet="a list the receiving side keeps for its own placements",
)
