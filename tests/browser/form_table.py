"""Every POST form of the product, by the route it posts to (issue 19, acceptance 2).

``TYPED`` are the forms a browser test submits with one invalid field: the other fields must
come back with what was typed, and the error must sit next to the invalid field, with a link to
it in the summary at the top of the form. ``NOTHING_TYPED`` are forms with no field to get wrong
(a button, or hidden values the page chose), each with why. ``NOT_YET`` are typed forms the
browser test does not drive yet. tests/crm/test_unique_ids.py crawls every page as each role
and fails on a POST form in none of the three, so that a new form has to be placed here.
"""

from dataclasses import dataclass, field

FUTURE = "2099-01-01"


@dataclass(frozen=True)
class Typed:
    # whose browser: "rep", "admin", "dpo"; "visitor" (no account); "dpo_code" (a DPO who typed the
    # password, not yet the code) and "dpo_enrol" (a DPO enrolling an authenticator app)
    role: str
    page: str  # the page's address, with {prospect} and {restricted} for the seeded rows
    invalid: tuple[str, str]  # the field made invalid (a CSS selector) and what is typed into it
    fills: dict[str, str] = field(default_factory=dict)  # the other fields and what is typed or chosen
    submit: str = "main form[method=post] button[type=submit]"
    opens: str = ""  # a <details> summary to click first
    keeps_invalid: bool = False  # the refused value itself must come back (a refused note)


TYPED: dict[str, Typed] = {
    "prospects:create": Typed(
        "rep",
        "/prospects/new/",
        invalid=("#id_email", "lea.petit@"),
        fills={"#id_first_name": "Lea", "#id_last_name": "Petit", "#id_company_name": "Acme Industries"},
        submit="form.prospect-form button[type=submit]",
    ),
    "prospects:note_add": Typed(
        "rep",
        "{prospect}",
        invalid=("#id_text", "Complete idiot, never answers."),
        submit="#note-form button[type=submit]",
        keeps_invalid=True,
    ),
    "consent:consent_add": Typed(
        "rep",
        "{prospect}",
        opens="text=Record a consent with its proof",
        invalid=("#id_consent-wording_version", ""),
        fills={
            "#id_consent-channel": "phone",
            "#id_consent-method": "oral",
            "#id_consent-wording": "Do you agree that Acme calls you about offers? Yes.",
        },
        submit="#consent-form button[type=submit]",
    ),
    "consent:objection_add": Typed(
        "rep",
        "{prospect}",
        opens="text=Record an objection received by phone, letter or reply",
        invalid=("#id_objection-on", FUTURE),
        fills={"#id_objection-channel": "email", "#id_objection-received_via": "letter"},
        submit="#objection-form button[type=submit]",
    ),
    "consent:withdrawal_add": Typed(
        "rep",
        "{prospect}",
        opens="text=Record a withdrawal of consent",
        invalid=("#id_withdrawal-on", FUTURE),
        fills={"#id_withdrawal-channel": "sms", "#id_withdrawal-received_via": "phone"},
        submit="#withdrawal-form button[type=submit]",
    ),
    "users": Typed(
        "admin",
        "/users/",
        invalid=("#id_email", "not-an-address"),
        fills={"#id_username": "new.rep", "#id_first_name": "Noa", "#id_last_name": "Blanc"},
    ),
    "registry:requests": Typed(
        "admin",
        "/registry/requests/",
        invalid=("#id_received_on", ""),
        fills={"#id_kind": "erasure", "#id_channel": "letter", "#id_identity_check": "ID seen at the desk"},
    ),
    "registry:restriction_lift": Typed(
        "admin",
        "/registry/restrictions/{restricted}/lift/",
        invalid=("#id_informed_on", FUTURE),
        fills={"#id_informed_by": "letter", "#id_text": "Your data were checked and are accurate."},
    ),
    "outreach:campaign_create": Typed(
        "rep",
        "/outreach/campaigns/new/",
        invalid=("#id_sender_email", "not-an-address"),
        fills={
            "#id_name": "Spring offer",
            "#id_subject_en": "Our spring offer",
            "#id_body_en": "Dear {{first_name}},",
        },
        submit="form.campaign-form button[type=submit]",
    ),
    "registry:request_extend": Typed(
        "admin",
        "/registry/requests/{request}/",
        invalid=("#id_reason", ""),
        fills={"#id_months": "2", "#id_told_on": "{today}"},
        submit="form[action$='/extend/'] button[type=submit]",
    ),
    "registry:request_close": Typed(
        "admin",
        "/registry/requests/{request}/",
        invalid=("#id_outcome", ""),
        fills={"#id_status": "refused"},
        submit="form[action$='/close/'] button[type=submit]",
    ),
    "registry:request_link": Typed(
        "admin",
        "/registry/requests/{unlinked}/",
        invalid=("#id_email", "lea.petit@"),
        fills={"#id_linkedin_url": "https://www.linkedin.com/in/lea-petit"},
        submit="form[action$='/link/'] button[type=submit]",
    ),
    "registry:subject_access": Typed(
        "admin",
        "/registry/subject-access/",
        invalid=("#id_email", "lea.petit@"),
        fills={"#id_linkedin_url": "https://www.linkedin.com/in/lea-petit"},
        submit="#export-zip",
    ),
    "conduct_edit": Typed(
        "admin",
        "/conduct/edit/",
        invalid=("#id_text_fr", ""),
        fills={"#id_text_en": "Record only what the person would expect us to know."},
    ),
    "prospects:stage_add": Typed(
        "admin",
        "/prospects/pipeline/",
        invalid=("#stage_name", ""),
        fills={"#stage_outcome": "lost", "#stage_position": "7"},
        submit="#stage-add button[type=submit]",
    ),
    "prospects:category_add": Typed(
        "admin",
        "/prospects/pipeline/",
        invalid=("#category_name", ""),
        submit="#category-add button[type=submit]",
    ),
    # --- registry, web forms, accounts, public pages
    "registry:activity": Typed(
        "dpo",
        "/registry/activities/b2b_prospecting/",
        invalid=("#id_name_en", ""),
        fills={"#id_name_fr": "Prospection B2B", "#id_lia_reference": "LIA-2026-01"},
        submit="#save-activity",
    ),
    "registry:organisation": Typed(
        "admin",
        "/registry/organisation/",
        invalid=("#id_email", "privacy@"),
        fills={"#id_name": "Acme SAS", "#id_dpo_name": "Dana Roux", "#id_dpo_email": "dpo@acme.example"},
    ),
    "registry:breaches": Typed(
        "dpo",
        "/registry/breaches/",
        invalid=("#id_discovered_at", FUTURE + "T09:00"),
        fills={
            "#id_nature": "A laptop with an export was stolen",
            "#id_data_concerned": "Names and work emails",
            "#id_people_concerned": "Prospects of the North team",
            "#id_consequences": "Unwanted emails",
            "#id_measures": "Disk encrypted; passwords reset",
            "#id_delay_reason": "Assessing the risk",
        },
        submit="#record-breach",
    ),
    "registry:breach": Typed(
        "dpo",
        "/registry/breaches/{breach}/",
        invalid=("#id_records_count", "-3"),
        fills={"#id_consequences": "Phishing emails in our name", "#id_cnil_reference": "CNIL-2026-001234"},
        submit="#breach-form button[type=submit]",
    ),
    "registry:breach_notified": Typed(
        "dpo",
        "/registry/breaches/",
        invalid=("form[action$='/notified/'] [name$='cnil_notified_at']", FUTURE + "T09:00"),
        fills={
            "form[action$='/notified/'] [name$='reference']": "CNIL-2026-000042",
            "form[action$='/notified/'] [name$='delay_reason']": "The logs came on the third day",
        },
        submit="form[action$='/notified/'] button[type=submit]",
    ),
    "registry:breach_follow_up": Typed(
        "dpo",
        "/registry/breaches/{notified}/",
        invalid=("#id_notified_at", FUTURE + "T09:00"),
        fills={"#id_summary": "The provider's log analysis: 1,800 people, not 120."},
        submit="#follow-up-form button[type=submit]",
    ),
    "webforms:create": Typed(
        "dpo",
        "/webforms/new/",
        invalid=("#id_slug", "contact us!"),
        fills={"#id_name": "Contact us", "#id_notice": "Acme SAS records your details to answer you."},
        submit="#webform-save",
    ),
    "webforms:edit": Typed(
        "dpo",
        "/webforms/{webform}/edit/",
        invalid=("#id_name", ""),
        fills={"#id_slug": "contact-sales", "#id_notice": "Acme SAS records your details to answer you."},
        submit="#webform-save",
    ),
    # Password fields are never sent back to the browser: nothing else is typed on this form.
    "password_change": Typed("dpo", "/accounts/password/", invalid=("#id_old_password", "not-my-password")),
    "webforms:public": Typed(
        "visitor",
        "/f/contact/",
        invalid=("#id_email", "ada@"),
        fills={"#id_first_name": "Ada", "#id_last_name": "Lovelace", "#id_company": "Analytical Engines"},
        submit="#webform-submit",
    ),
    "password_reset": Typed("visitor", "/accounts/password/reset/", invalid=("#id_email", "lea.petit@")),
    "mfa": Typed("dpo_code", "/accounts/mfa/", invalid=("#id_code", "000000")),
    "mfa_setup": Typed("dpo_enrol", "/accounts/mfa/setup/", invalid=("#id_code", "000000")),
}

NOTHING_TYPED: dict[str, str] = {
    "logout": "a button",
    "set_language": "a button per language",
    "registry:sign_off": "a button, then its confirmation page",
    "registry:request_execute": "a button (a restriction's ground is a select with no wrong choice)",
    "outreach:campaign_send": "the confirmation page's button",
    "outreach:campaign_decide": "a button",
    "outreach:campaign_cancel": "a button",
    "outreach:proposal_confirm": "a button",
    "prospects:remove_from_list": "a button per list",
    "prospects:add_to_list": "a select of the team's lists",
    "prospects:move": "a select of the stages",
    "prospects:bulk": "the confirmation page: hidden values chosen on the list page",
    "prospects:view_delete": "a button",
    "prospects:next_step_done": "a button",
    "prospects:import_resume": "a button",
    "prospects:rep_deactivate": "a select of the other reps, then its confirmation page",
    "mfa_reset": "a button",
    "consent:broker_export": "a button per broker",
    "api_token": "a button",
    "conduct": "a button that acknowledges the code",
    "registry:request_assign": "a select of the DPOs and administrators",
    "prospects:webhook_resend": "a button per delivery",
    # --- registry, web forms, accounts, public pages
    "profile": "a check box (the day's e-mail) and a button (a new BCC address)",
    "mfa_recovery": "a button",
    "consent:confirm": "a button",
    "consent:unsubscribe": "a button",
    "consent:invitation": "a check box per consent offered, none of them a wrong choice",
    "consent:preferences": "check boxes of the channels and consents, and a button to object to all",
}

NOT_YET: dict[str, str] = {
    name: "typed, not driven by the browser test yet"
    for name in (
        "prospects:edit",
        "prospects:interaction_add",
        "prospects:next_step_add",
        "prospects:next_step_edit",
        "prospects:webhooks",
        "prospects:webhook",
        "prospects:customer",
        "prospects:stage_edit",
        "prospects:view_save",
        "prospects:lists",
        "prospects:import",
        "prospects:import_mapping",
        "retention:legal_hold",
        "outreach:campaign_edit",
        "outreach:message_log",
        "outreach:proposal_dismiss",
        "outreach:linkedin_capture",
    )
}
