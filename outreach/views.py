from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from org.roles import EDITORS, Role, has_role, role_required
from outreach import campaigns, decisions, inbound, mailbox, notices, proposals, sending
from outreach import contactability as gate
from outreach.forms import CampaignForm, DismissForm, LogContactForm
from outreach.models import Campaign, Message, NoticeOutcome, NoticeRecord, ObjectionProposal
from outreach.policy import Reason
from prospects.models import Prospect

ANYONE = (Role.SALES, Role.DPO, Role.ADMIN)


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user).select_related("purpose"), pk=pk)


@role_required(*ANYONE)
@require_safe
def contactability(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx panel of the prospect page: the gate's decision per channel, with its reason."""
    prospect = get_object_or_404(Prospect.objects.visible_to(request.user), pk=pk)
    pending = proposals.pending_for(request.user).filter(prospect=prospect).select_related("inbound")
    context = {
        "rows": gate.contactability(prospect),
        "proposals": pending if has_role(request.user, *EDITORS) else [],
    }
    return render(request, "outreach/contactability.html", context)


@role_required(*ANYONE)
@require_safe
def prospect_mail(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx part of the prospect page's timeline: the person's messages read from the mailbox,
    with the subject and the excerpt kept of each (decrypted here, for the reader)."""
    prospect = get_object_or_404(Prospect.objects.visible_to(request.user), pk=pk)
    return render(request, "outreach/prospect_mail.html", {"messages_read": inbound.read_from(prospect)})


def _proposal(request: HttpRequest, pk: int) -> ObjectionProposal:
    return get_object_or_404(ObjectionProposal.objects.visible_to(request.user), pk=pk)


def _back(request: HttpRequest, proposal: ObjectionProposal) -> HttpResponse:
    return redirect("home") if _back_to(request) == "home" else redirect(proposal.prospect)


def _back_to(request: HttpRequest) -> str:
    """Where the proposal's form was: the rep's home or the prospect page."""
    return "home" if request.POST.get("back") == "home" else "prospect"


@role_required(*EDITORS)
@require_POST
def proposal_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A reply read from the mailbox asks to stop: the rep records the objection (route "reply")."""
    proposal = _proposal(request, pk)
    try:
        proposals.confirm_proposal(proposal, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Objection recorded: this person will not be e-mailed again."))
    return _back(request, proposal)


@role_required(*EDITORS)
@require_POST
def proposal_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply does not ask to stop: dismissed with the rep's reason."""
    proposal = _proposal(request, pk)
    back = _back_to(request)
    # The ids of the field it was typed in, on the home page or the prospect page's panel.
    form = DismissForm(request.POST, auto_id=f"dismiss-%s-{back}-{proposal.pk}")
    if form.is_valid():
        try:
            proposals.dismiss_proposal(proposal, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            form.apply_errors(error)
        else:
            messages.success(request, _("Proposal dismissed: the reply is kept as a contact."))
            return _back(request, proposal)
    # Refused: the reply again, with the reason as typed and the error at its field.
    cancel = reverse("home") if back == "home" else proposal.prospect.get_absolute_url()
    context = {"proposal": proposal, "form": form, "back": back, "cancel": cancel}
    return render(request, "outreach/proposal_dismiss.html", context, status=400)


@role_required(*ANYONE)
@require_safe
def campaign_list(request: HttpRequest) -> HttpResponse:
    rows = Campaign.objects.visible_to(request.user).select_related("created_by", "purpose")[:200]
    return render(request, "outreach/campaign_list.html", {"campaigns": rows})


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def campaign_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a campaign, or edit one not sent yet (which drops its preview)."""
    campaign = _campaign(request, pk) if pk else None
    form = CampaignForm(request.POST or None, instance=campaign, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                campaign = campaigns.create_campaign(by=request.user, **form.to_fields())
            else:
                campaign = campaigns.update_campaign(campaign, by=request.user, **form.to_fields())
        except ValidationError as error:
            form.apply_errors(error)
        else:
            return redirect(campaign)
    status = 400 if form.errors else 200
    return render(request, "outreach/campaign_form.html", {"form": form, "campaign": campaign}, status=status)


@role_required(*ANYONE)
@require_safe
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview: every recipient with the gate's decision and why, then the outcome per recipient."""
    campaign = decisions.decide_on_preview(_campaign(request, pk), viewer=request.user)
    reason = request.GET.get("reason", "") if request.GET.get("reason") in Reason.values else ""
    after = int(request.GET["after"]) if request.GET.get("after", "").isdigit() else 0
    rows = list(campaigns.recipients_page(campaign, reason=reason, after=after))
    context = {
        "campaign": campaign,
        "counts": campaigns.counts_per_reason(campaign),
        "statuses": campaigns.counts_per_status(campaign),
        "rows": rows,
        "reason": reason,
        "next_after": rows[-1].pk if len(rows) == 50 else None,
        "can_edit": has_role(request.user, *EDITORS),
        "can_cancel": sending.can_cancel(campaign),
        "sends_from": sending.sends_from(campaign),
    }
    partial = request.headers.get("HX-Request") and request.GET.get("part") == "outcome"
    return render(
        request, "outreach/campaign_outcome.html" if partial else "outreach/campaign_detail.html", context
    )


@role_required(*EDITORS)
@require_POST
def campaign_decide(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        decisions.decide_campaign(campaign)
    except ValueError:
        messages.error(request, _("A campaign being sent or done cannot be decided again."))
    return redirect(campaign)


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Say what sending will do, to how many, and send only once confirmed (a POST with
    ``confirm``); the worker then waits for the undo window, cancellable from the campaign."""
    campaign = _campaign(request, pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            queued = sending.start_sending(campaign, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            campaign.refresh_from_db()
            if sending.can_cancel(campaign):
                messages.success(
                    request,
                    _("%(count)d messages will be sent in %(seconds)d seconds: you can still cancel.")
                    % {"count": queued, "seconds": sending.undo_window().total_seconds()},
                )
            else:
                messages.success(request, _("%(count)d messages handed to the worker.") % {"count": queued})
        return redirect(campaign)
    campaign = decisions.decide_on_preview(campaign, viewer=request.user)
    counts = campaigns.counts_per_reason(campaign)
    context = {
        "campaign": campaign,
        "allowed": sum(row.count for row in counts if row.allowed),
        "refused": sum(row.count for row in counts if not row.allowed),
        "undo_seconds": int(sending.undo_window().total_seconds()),
    }
    return render(request, "outreach/campaign_send_confirm.html", context)


@role_required(*EDITORS)
@require_POST
def campaign_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a campaign's sending inside its undo window: nothing goes out."""
    campaign = _campaign(request, pk)
    try:
        held = sending.cancel_sending(campaign, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Sending cancelled: none of the %(count)d messages left.") % {"count": held}
        )
    return redirect(campaign)


@role_required(*EDITORS)
@require_POST
def message_log(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """The rep made a contact on the checklist (phone, post, SMS, LinkedIn): log it."""
    campaign = _campaign(request, pk)
    message = get_object_or_404(Message, campaign=campaign, pk=message_pk)
    form = LogContactForm(request.POST)
    form.is_valid()
    try:
        outcome = sending.log_contact(
            message, by=request.user, notice_given=form.cleaned_data["notice_given"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (
            _("Contact logged.")
            if outcome == "logged"
            else _("The gate now refuses this contact: do not make it.")
        )
        (messages.success if outcome == "logged" else messages.error)(request, text)
    return redirect(campaign)


@role_required(Role.DPO, Role.ADMIN)
@require_safe
def notice_review(request: HttpRequest) -> HttpResponse:
    """Art. 14 notices given after collection, and the people who could not be informed in time."""
    context = {
        "flagged": notices.purge_flagged().select_related("prospect", "source")[:500],
        "recent": NoticeRecord.objects.filter(outcome=NoticeOutcome.SENT).select_related("prospect")[:100],
    }
    return render(request, "outreach/notice_review.html", context)


@role_required(Role.ADMIN)
@require_safe
def mailbox_status(request: HttpRequest) -> HttpResponse:
    """The mailbox Loyal reads: its setting, the last success, the last error in words, what waits."""
    return render(request, "outreach/mailbox_status.html", {"status": mailbox.status()})
