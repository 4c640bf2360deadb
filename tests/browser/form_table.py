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
    # --- prospects, outreach, retention forms
    "prospects:edit": Typed(
        "rep",
        "{prospect}edit/",
        invalid=("#id_email", "lea.dupont@"),
        fills={"#id_first_name": "Léa", "#id_last_name": "Dupont-Martin", "#id_job_title": "Buyer"},
        submit="form.prospect-form button[type=submit]",
    ),
    "prospects:interaction_add": Typed(
        "rep",
        "{prospect}",
        invalid=("#id_occurred_at", "2099-01-01T10:00"),
        fills={"#id_type": "call_outbound", "#id_summary": "Asked for the price list."},
        submit="#interaction-form button[type=submit]",
    ),
    "prospects:next_step_add": Typed(
        "rep",
        "{prospect}",
        invalid=("#id_what", ""),
        fills={"#id_due_at": "2099-01-01T10:00"},
        submit="#next-step-form button[type=submit]",
    ),
    "prospects:next_step_edit": Typed(
        "rep",
        "/prospects/next-steps/{step}/edit/",
        invalid=("#id_what", ""),
        fills={"#id_due_at": "2099-01-01T10:00"},
    ),
    "prospects:customer": Typed(
        "rep",
        "{prospect}",
        opens="text=Customer status",
        invalid=("#id_customer_opt_out_offered_at", FUTURE),
        fills={
            "#id_is_customer": "on",
            "#id_customer_since": "2025-03-01",
            "#id_customer_opt_out_offered": "on",
            "#id_customer_opt_out_evidence": "An unticked box on the order form",
        },
        submit="#customer-form button[type=submit]",
    ),
    "prospects:lists": Typed(
        "rep",
        "/prospects/lists/",
        invalid=("#id_name", ""),
    ),
    "prospects:view_save": Typed(
        "rep",
        "/prospects/?q=acme",
        invalid=("#id_name", ""),
        fills={"#id_shared": "on"},
        submit="#save-view button[type=submit]",
    ),
    "prospects:import": Typed(
        "rep",
        "/prospects/import/",
        invalid=("#id_file", ""),
        fills={
            "#id_source_type": "event",
            "#id_evidence_event": "Salon des achats",
            "#id_evidence_place": "Lyon",
            "#id_evidence_date": "2026-03-02",
        },
        submit="form.import-form button[type=submit]",
    ),
    "prospects:import_mapping": Typed(
        "rep",
        "/prospects/import/{draft}/columns/",
        invalid=("#id_file_language", ""),
        fills={"#id_first_name": "Given", "#id_last_name": "Family", "#id_email": "Mail"},
        submit="form.mapping-form button[type=submit]",
    ),
    "outreach:campaign_edit": Typed(
        "rep",
        "/outreach/campaigns/{campaign}/edit/",
        invalid=("#id_sender_email", "not-an-address"),
        fills={"#id_name": "Autumn offer", "#id_subject_en": "Our autumn offer"},
        submit="form.campaign-form button[type=submit]",
    ),
    "outreach:linkedin_capture": Typed(
        "rep",
        "/outreach/linkedin/",
        invalid=("#id_email", "lea.petit@"),
        fills={
            "#id_source_type_0": "on",
            "#id_profile_url": "https://www.linkedin.com/in/lea-petit",
            "#id_first_name": "Lea",
            "#id_last_name": "Petit",
            "#id_company_name": "Acme Industries",
        },
        submit="form.prospect-form button[type=submit]",
    ),
    "outreach:proposal_dismiss": Typed(
        "rep",
        "{stop_reply}",
        invalid=("input[id^='dismiss-reason-prospect-']", "Complete idiot, never answers."),
        submit="form[action$='/dismiss/'] button[type=submit]",
        keeps_invalid=True,
    ),
    "prospects:webhooks": Typed(
        "admin",
        "/prospects/webhooks/",
        invalid=("#id_url", "not a web address"),
        fills={"#id_description": "The ERP's inbox", "#id_events_0": "on"},
        submit="#webhook-form button[type=submit]",
    ),
    "prospects:webhook": Typed(
        "admin",
        "/prospects/webhooks/{endpoint}/",
        invalid=("#id_url", "not a web address"),
        fills={"#id_description": "The ERP's new inbox"},
        submit="#webhook-form button[type=submit]",
    ),
    "prospects:stage_edit": Typed(
        "admin",
        "/prospects/pipeline/",
        invalid=(":nth-match(form.stage-edit input[name$='-name'], 1)", ""),
        fills={
            ":nth-match(form.stage-edit select[name$='-outcome'], 1)": "lost",
            ":nth-match(form.stage-edit input[name$='-position'], 1)": "9",
        },
        submit=":nth-match(form.stage-edit button[type=submit], 1)",
    ),
    "retention:legal_hold": Typed(
        "admin",
        "/prospects/{held}/",
        opens="text=Place a legal hold",
        invalid=("#hold-until", ""),
        fills={"#hold-reason": "A claim about the 2025 invoice", "#hold-scope": "exchanges"},
        submit="#hold-form button[type=submit]",
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
    "outreach:message_log": "a box to tick on a campaign's checklist, and a button",
    # --- registry, web forms, accounts, public pages
    "profile": "a check box (the day's e-mail) and a button (a new BCC address)",
    "mfa_recovery": "a button",
    "consent:confirm": "a button",
    "consent:unsubscribe": "a button",
    "consent:invitation": "a check box per consent offered, none of them a wrong choice",
    "consent:preferences": "check boxes of the channels and consents, and a button to object to all",
}

# Every typed form is driven now: a new one goes in TYPED, or here until it is.
NOT_YET: dict[str, str] = {}
