"""Who gets what from every route: the table that test_access_matrix.py holds the resolver to.

One row per route, keyed by its name (``namespace:name``; a DRF format-suffix twin such as
``/api/prospects.json`` adds ``.<format>``), or by its pattern where it has no name. A row
lists groups of methods, each followed by one answer per role in the order of ROLES, and
``*`` for every method not listed:

    #                             method(s): anonymous, no role, sales, dpo, admin
    "prospects:list":             "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",

An answer is a status code, or ``L`` for a redirect to the log-in page. Requests carry no
data, so an allowed write answers with its form's or serializer's error (200 or 400 on a
page that shows the form again, 400 in the API) or with the redirect that reports it
(302). ``=key`` answers as the row ``key`` does. "no role" is a logged-in user in no group.
"""

ROLES = ("anonymous", "no role", "sales", "dpo", "admin")
METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
LOGIN = "/accounts/login/"

# fmt: off
EXPECTED: dict[str, str] = {
    # --- Accounts and the shell
    "home":                         "GET HEAD: L 200 200 200 200 | *: L 405 405 405 405",
    # The container's probe, answered by crm.health ahead of routing whatever the method; it reads nothing.
    "health":                       "*: 200 200 200 200 200",
    # Django's LoginView: a logged-in user is sent home before the method is looked at.
    "login":                        "PATCH DELETE: 405 302 302 302 302 | *: 200 302 302 302 302",
    "logout":                       "OPTIONS: 200 200 200 200 200 | POST: L L L L L | *: 405 405 405 405 405",
    "password_change":              "PATCH DELETE: L 405 405 405 405 | *: L 200 200 200 200",
    "password_change_done":         "GET HEAD OPTIONS: L 200 200 200 200 | *: L 405 405 405 405",
    # Password reset by e-mail (Django's views): open to anyone, a logged-in user included.
    "password_reset":               "GET HEAD OPTIONS POST: 200 200 200 200 200 | *: 405 405 405 405 405",
    "password_reset_done":          "GET HEAD OPTIONS: 200 200 200 200 200 | *: 405 405 405 405 405",
    "password_reset_confirm":       "GET HEAD OPTIONS POST: 200 200 200 200 200 | *: 405 405 405 405 405",
    "password_reset_complete":      "GET HEAD OPTIONS: 200 200 200 200 200 | *: 405 405 405 405 405",
    "api_token":                    "GET POST: L 200 200 200 200 | *: L 405 405 405 405",
    # Anyone reads their profile; only a sales rep saves it (the day digest's opt-in).
    "profile":                      "GET: L 200 200 200 200 | POST: L 403 302 403 403 | *: L 405 405 405 405",
    # The second factor: only admins and DPOs have one; the others are sent on (crm/mfa.py).
    "mfa":                          "GET POST: L 302 302 302 302 | *: L 405 405 405 405",
    "mfa_setup":                    "GET POST: L 302 302 200 200 | *: L 405 405 405 405",
    "mfa_recovery":                 "GET POST: L 302 302 200 200 | *: L 405 405 405 405",
    "mfa_reset":                    "POST: L 403 403 403 302 | *: L 403 403 403 405",
    "conduct":                      "GET POST: L 200 200 200 200 | *: L 405 405 405 405",
    "conduct_edit":                 "GET POST: L 403 403 403 200 | *: L 403 403 403 405",
    "users":                        "GET POST: L 403 403 403 200 | *: L 403 403 403 405",
    # Django's set_language: redirects back, and with POST sets the language.
    "set_language":                 "*: 302 302 302 302 302",
    "privacy":                      "GET HEAD: 200 200 200 200 200 | *: 405 405 405 405 405",

    # --- Prospects
    "prospects:list":               "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    "prospects:create":             "GET POST: L 403 200 403 200 | *: L 403 405 403 405",
    "prospects:evidence":           "GET HEAD: L 403 200 403 200 | *: L 403 405 403 405",
    "prospects:detail":             "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    "prospects:edit":               "GET POST: L 403 200 403 200 | *: L 403 405 403 405",
    # A refused note or interaction comes back on the prospect's page, as typed (issue 19).
    "prospects:interaction_add":    "POST: L 403 400 403 400 | *: L 403 405 403 405",
    "prospects:note_add":           "POST: L 403 400 403 400 | *: L 403 405 403 405",
    "prospects:next_step_add":      "POST: L 403 400 403 400 | *: L 403 405 403 405",
    # An empty change names neither what nor when: the form comes back with its errors.
    "prospects:next_step_edit":     "GET: L 403 200 403 200 | POST: L 403 400 403 400 | *: L 403 405 403 405",
    # Every field is optional: an empty post marks the step done, then goes back to its prospect.
    "prospects:next_step_done":     "POST: L 403 302 403 302 | *: L 403 405 403 405",
    "prospects:bulk":               "GET POST: L 403 400 403 400 | *: L 403 405 403 405",
    # The list's export: team leads and admins (a team lead is a rep with one more group).
    "prospects:export":             "GET HEAD: L 403 403 403 200 | *: L 403 403 403 405",
    "prospects:lists":              "GET: L 403 200 200 200 | POST: L 403 400 403 400 | *: L 403 405 405 405",
    "prospects:add_to_list":        "POST: L 403 302 403 302 | *: L 403 405 403 405",
    "prospects:remove_from_list":   "POST: L 403 302 403 302 | *: L 403 405 403 405",
    "prospects:view_save":          "POST: L 403 400 403 400 | *: L 403 405 403 405",
    "prospects:view_delete":        "POST: L 403 302 403 302 | *: L 403 405 403 405",
    "prospects:rep_deactivate":     "GET POST: L 403 403 403 200 | *: L 403 403 403 405",
    "prospects:board":              "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    # An empty move names no stage: the form comes back with its error.
    "prospects:move":               "POST: L 403 400 403 400 | *: L 403 405 403 405",
    # Unticked boxes are a valid form: an empty customer form records a non-customer.
    "prospects:customer":           "POST: L 403 302 403 302 | *: L 403 405 403 405",
    "prospects:pipeline_settings":  "GET HEAD: L 403 403 403 200 | *: L 403 403 403 405",
    # Webhook endpoints (prospects/webhooks.py): admins only; an empty post is the form with its errors.
    "prospects:webhooks":           "GET: L 403 403 403 200 | POST: L 403 403 403 400 | *: L 403 403 403 405",
    "prospects:webhook":            "GET: L 403 403 403 200 | POST: L 403 403 403 400 | *: L 403 403 403 405",
    "prospects:webhook_resend":     "POST: L 403 403 403 302 | *: L 403 403 403 405",
    "prospects:stage_add":          "POST: L 403 403 403 400 | *: L 403 403 403 405",
    "prospects:stage_edit":         "POST: L 403 403 403 400 | *: L 403 403 403 405",
    "prospects:category_add":       "POST: L 403 403 403 400 | *: L 403 403 403 405",
    "prospects:category_edit":      "POST: L 403 403 403 400 | *: L 403 403 403 405",
    "prospects:import":             "GET POST: L 403 200 403 200 | *: L 403 405 403 405",
    "prospects:import_evidence":    "GET HEAD: L 403 200 403 200 | *: L 403 405 403 405",
    "prospects:import_detail":      "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    "prospects:import_mapping":     "GET POST: L 403 200 403 200 | *: L 403 405 403 405",
    "prospects:import_progress":    "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    "prospects:import_resume":      "POST: L 403 302 403 302 | *: L 403 405 403 405",
    "prospects:import_report_csv":  "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    "retention:purges":             "GET HEAD: L 403 403 200 403 | *: L 403 403 405 403",
    "retention:purge_panel":        "GET HEAD: L 403 403 200 403 | *: L 403 403 405 403",
    "retention:legal_hold":         "POST: L 403 403 400 400 | *: L 403 403 405 405",

    # --- Consent (staff pages) and the public signed links, which anyone holding one may open
    "consent:panel":                "GET: L 403 200 200 200 | *: L 403 405 405 405",
    # A refused panel form comes back on a page of its own, as typed (issue 19); an objection
    # is recorded only once confirmed.
    "consent:objection_add":        "POST: L 403 400 403 400 | *: L 403 405 403 405",
    "consent:consent_add":          "POST: L 403 400 403 400 | *: L 403 405 403 405",
    "consent:withdrawal_add":       "POST: L 403 400 403 400 | *: L 403 405 403 405",
    "consent:suppression":          "GET: L 403 403 200 200 | *: L 403 403 405 405",
    "consent:brokers":              "GET: L 403 403 200 200 | *: L 403 403 405 405",
    "consent:broker_export":        "POST: L 403 403 302 302 | *: L 403 403 405 405",
    "consent:unsubscribe":          "GET HEAD POST: 200 200 200 200 200 | *: 405 405 405 405 405",
    "consent:preferences":          "GET POST: 200 200 200 200 200 | *: 405 405 405 405 405",
    "consent:invitation":           "GET POST: 200 200 200 200 200 | *: 405 405 405 405 405",
    "consent:confirm":              "GET POST: 200 200 200 200 200 | *: 405 405 405 405 405",

    # --- Web forms: the administrator and the DPO define and follow them (webforms/views.py);
    # the public page answers anyone, and an empty post, without the page's token, comes back (400).
    "webforms:list":                "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    "webforms:create":              "GET: L 403 403 200 200 | POST: L 403 403 400 400 | *: L 403 403 405 405",
    "webforms:detail":              "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    "webforms:edit":                "GET: L 403 403 200 200 | POST: L 403 403 400 400 | *: L 403 403 405 405",
    "webforms:public":              "GET HEAD: 200 200 200 200 200 | POST: 400 400 400 400 400"
                                    " | *: 405 405 405 405 405",

    # --- Outreach
    "outreach:contactability":      "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    # The timeline's part of the person's messages read from the mailbox (subject, excerpt).
    "outreach:prospect_mail":       "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    "outreach:linkedin_capture":    "GET POST: L 403 200 403 200 | *: L 403 405 403 405",
    "outreach:linkedin_message":    "GET HEAD: L 403 200 403 200 | *: L 403 405 403 405",
    "outreach:campaigns":           "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    "outreach:campaign_create":     "GET POST: L 403 200 403 200 | *: L 403 405 403 405",
    "outreach:campaign":            "GET HEAD: L 403 200 200 200 | *: L 403 405 405 405",
    "outreach:campaign_edit":       "GET POST: L 403 200 403 200 | *: L 403 405 403 405",
    "outreach:campaign_decide":     "POST: L 403 302 403 302 | *: L 403 405 403 405",
    # GET and an unconfirmed POST ask first (200); nothing is sent without "confirm".
    "outreach:campaign_send":       "GET POST: L 403 200 403 200 | *: L 403 405 403 405",
    "outreach:campaign_cancel":     "POST: L 403 302 403 302 | *: L 403 405 403 405",
    "outreach:message_log":         "POST: L 403 302 403 302 | *: L 403 405 403 405",
    # A "stop" reply read from the mailbox, decided by an editor (outreach/proposals.py).
    "outreach:proposal_confirm":    "POST: L 403 302 403 302 | *: L 403 405 403 405",
    "outreach:proposal_dismiss":    "POST: L 403 400 403 400 | *: L 403 405 403 405",
    "outreach:notices":             "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    "outreach:mailbox":             "GET HEAD: L 403 403 403 200 | *: L 403 403 403 405",

    # --- Registry
    "registry:register":            "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    "registry:sign_off":            "POST: L 403 403 302 403 | *: L 403 403 405 403",
    "registry:export":              "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    # The DPO edits an activity of the register; an administrator reads it.
    "registry:activity":            "GET: L 403 403 200 200 | POST: L 403 403 400 403 | *: L 403 403 405 405",
    "registry:dashboard":           "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    # GDPR 18(3): the administrator lifts a restriction, recording what the person was told.
    "registry:restriction_lift":    "GET POST: L 403 403 403 200 | *: L 403 403 403 405",
    "registry:list_exports":        "GET HEAD: L 403 403 200 403 | *: L 403 403 405 403",
    "registry:access_log":          "GET HEAD: L 403 403 200 403 | *: L 403 403 405 403",
    "registry:breaches":            "GET POST: L 403 403 200 200 | *: L 403 403 405 405",
    "registry:breach_notified":     "POST: L 403 403 400 400 | *: L 403 403 405 405",
    "registry:breach":              "GET: L 403 403 200 200 | POST: L 403 403 400 400 | *: L 403 403 405 405",
    "registry:breach_follow_up":    "POST: L 403 403 400 400 | *: L 403 403 405 405",
    "registry:breach_export":       "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    "registry:erasures":            "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    "registry:propagation":         "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    "registry:organisation":        "GET POST: L 403 403 403 200 | *: L 403 403 403 405",
    "registry:requests":            "GET POST: L 403 403 200 200 | *: L 403 403 405 405",
    "registry:request":             "GET HEAD: L 403 403 200 200 | *: L 403 403 405 405",
    # A refused form comes back on the request's page, as typed, with its errors (issue 19).
    "registry:request_assign":      "POST: L 403 403 400 400 | *: L 403 403 405 405",
    "registry:request_extend":      "POST: L 403 403 400 400 | *: L 403 403 405 405",
    "registry:request_close":       "POST: L 403 403 400 400 | *: L 403 403 405 405",
    "registry:request_link":        "POST: L 403 403 400 400 | *: L 403 403 405 405",
    # The seeded request is an access request: executing it downloads the export (an erasure,
    # a restriction or an objection would first answer 200 with its confirmation page).
    "registry:request_execute":     "POST: L 403 403 403 200 | *: L 403 403 403 405",
    "registry:subject_access":      "GET POST: L 403 403 403 200 | *: L 403 403 403 405",

    # --- API: anonymous callers get 403 (session authentication comes first and sends no
    # WWW-Authenticate); the DPO reads team data and never writes it (crm.api.ROLES_BY_METHOD).
    "prospect-list":                "GET HEAD OPTIONS: 403 403 200 200 200 | POST: 403 403 400 403 400"
                                    " | *: 403 403 405 403 405",
    "prospect-list.<format>":       "=prospect-list",
    # An empty PATCH changes nothing and answers the object.
    "prospect-detail":              "GET HEAD OPTIONS: 403 403 200 200 200 | PUT: 403 403 400 403 400"
                                    " | PATCH: 403 403 200 403 200 | *: 403 403 405 403 405",
    "prospect-detail.<format>":     "=prospect-detail",
    "prospect-interactions":        "GET HEAD OPTIONS: 403 403 200 200 200 | POST: 403 403 400 403 400"
                                    " | *: 403 403 405 403 405",
    "prospect-consents":            "GET HEAD OPTIONS: 403 403 200 200 200 | POST: 403 403 400 403 400"
                                    " | *: 403 403 405 403 405",
    "prospect-objections":          "GET HEAD OPTIONS: 403 403 200 200 200 | POST: 403 403 400 403 400"
                                    " | *: 403 403 405 403 405",
    "next-step-list":               "GET HEAD OPTIONS: 403 403 200 200 200 | POST: 403 403 400 403 400"
                                    " | *: 403 403 405 403 405",
    "next-step-list.<format>":      "=next-step-list",
    "next-step-detail":             "GET HEAD OPTIONS: 403 403 200 200 200 | PUT: 403 403 400 403 400"
                                    " | PATCH: 403 403 200 403 200 | *: 403 403 405 403 405",
    "next-step-detail.<format>":    "=next-step-detail",
    # An empty body marks the step done and logs nothing.
    "next-step-complete":           "GET HEAD: 403 403 405 405 405 | OPTIONS: 403 403 200 200 200"
                                    " | POST: 403 403 200 403 200 | *: 403 403 405 403 405",
    "next-step-complete.<format>":  "=next-step-complete",
    "campaign-list":                "GET HEAD OPTIONS: 403 403 200 200 200 | POST: 403 403 400 403 400"
                                    " | *: 403 403 405 403 405",
    "campaign-list.<format>":       "=campaign-list",
    "campaign-detail":              "GET HEAD OPTIONS: 403 403 200 200 200 | PUT: 403 403 400 403 400"
                                    " | PATCH: 403 403 200 403 200 | *: 403 403 405 403 405",
    "campaign-detail.<format>":     "=campaign-detail",
    "campaign-preview":             "GET HEAD OPTIONS: 403 403 200 200 200 | *: 403 403 405 403 405",
    "campaign-preview.<format>":    "=campaign-preview",
    "campaign-log":                 "GET HEAD: 403 403 405 405 405 | OPTIONS: 403 403 200 200 200"
                                    " | POST: 403 403 400 403 400 | *: 403 403 405 403 405",
    "campaign-log.<format>":        "=campaign-log",
    "campaign-send":                "GET HEAD: 403 403 405 405 405 | OPTIONS: 403 403 200 200 200"
                                    " | POST: 403 403 202 403 202 | *: 403 403 405 403 405",
    "campaign-send.<format>":       "=campaign-send",
    # The seeded campaign is not sending: nothing to cancel (409, the state refuses it).
    "campaign-cancel":              "GET HEAD: 403 403 405 405 405 | OPTIONS: 403 403 200 200 200"
                                    " | POST: 403 403 409 403 409 | *: 403 403 405 403 405",
    "campaign-cancel.<format>":     "=campaign-cancel",
    "prospectlist-list":            "GET HEAD OPTIONS: 403 403 200 200 200 | POST: 403 403 400 403 400"
                                    " | *: 403 403 405 403 405",
    "prospectlist-list.<format>":   "=prospectlist-list",
    # The seeded list has no campaign: deleting it works (and is rolled back).
    "prospectlist-detail":          "GET HEAD OPTIONS: 403 403 200 200 200 | PUT: 403 403 400 403 400"
                                    " | PATCH: 403 403 200 403 200 | DELETE: 403 403 204 403 204"
                                    " | *: 403 403 405 403 405",
    "prospectlist-detail.<format>": "=prospectlist-detail",
    "prospectlist-add":             "GET HEAD: 403 403 405 405 405 | OPTIONS: 403 403 200 200 200"
                                    " | POST: 403 403 400 403 400 | *: 403 403 405 403 405",
    "prospectlist-add.<format>":    "=prospectlist-add",
    "prospectlist-remove":          "GET HEAD: 403 403 405 405 405 | OPTIONS: 403 403 200 200 200"
                                    " | POST: 403 403 400 403 400 | *: 403 403 405 403 405",
    "prospectlist-remove.<format>": "=prospectlist-remove",
    "savedview-list":               "GET HEAD OPTIONS: 403 403 200 200 200 | POST: 403 403 400 403 400"
                                    " | *: 403 403 405 403 405",
    "savedview-list.<format>":      "=savedview-list",
    # Only its author deletes a view: the admin is told so (400), the rep who saved it is not.
    "savedview-detail":             "GET HEAD OPTIONS: 403 403 200 200 200 | DELETE: 403 403 204 403 400"
                                    " | *: 403 403 405 403 405",
    "savedview-detail.<format>":    "=savedview-detail",
    "stage-list":                   "GET HEAD OPTIONS: 403 403 200 200 200 | *: 403 403 405 403 405",
    "stage-list.<format>":          "=stage-list",
    "category-list":                "GET HEAD OPTIONS: 403 403 200 200 200 | *: 403 403 405 403 405",
    "category-list.<format>":       "=category-list",
    # An empty PATCH changes nothing and answers the prospect's pipeline.
    "prospect-pipeline":            "GET HEAD OPTIONS: 403 403 200 200 200 | PATCH: 403 403 200 403 200"
                                    " | *: 403 403 405 403 405",
    # Webhook endpoints: admins only, whatever the method; an empty PATCH changes nothing.
    "webhook-list":                 "GET HEAD OPTIONS: 403 403 403 403 200 | POST: 403 403 403 403 400"
                                    " | *: 403 403 403 403 405",
    "webhook-list.<format>":        "=webhook-list",
    "webhook-detail":               "GET HEAD OPTIONS: 403 403 403 403 200 | PUT: 403 403 403 403 400"
                                    " | PATCH: 403 403 403 403 200 | DELETE: 403 403 403 403 204"
                                    " | *: 403 403 403 403 405",
    "webhook-detail.<format>":      "=webhook-detail",
    "webhook-deliveries":           "GET HEAD OPTIONS: 403 403 403 403 200 | *: 403 403 403 403 405",
    "webhook-deliveries.<format>":  "=webhook-deliveries",
    "api-register":                 "GET HEAD OPTIONS: 403 403 403 200 403 | *: 403 403 403 405 403",
    # Any logged-in user may read who they are and what the API offers; none of it is team data.
    "api-root":                     "GET HEAD OPTIONS: 403 200 200 200 200 | *: 403 405 405 405 405",
    "api-root.<format>":            "=api-root",
    "api-me":                       "GET OPTIONS: 403 200 200 200 200 | *: 403 405 405 405 405",
    "api-schema":                   "GET HEAD OPTIONS: 403 200 200 200 200 | *: 403 405 405 405 405",
    "api-docs":                     "GET HEAD: 403 200 200 200 200 | *: 403 405 405 405 405",
}
# fmt: on


def expectations(key: str) -> dict[str, dict[str, str]]:
    """The row of ``key`` as {method: {role: answer}}."""
    row = EXPECTED[key]
    if row.startswith("="):
        return expectations(row[1:])
    groups = {}
    for group in row.split("|"):
        methods, _colon, answers = group.partition(":")
        answers = answers.split()
        assert len(answers) == len(ROLES), f"{key}: {group.strip()!r} has {len(answers)} answers"
        groups.update((method, dict(zip(ROLES, answers, strict=True))) for method in methods.split())
    unknown, uncovered = set(groups) - {*METHODS, "*"}, set(METHODS) - set(groups)
    assert not unknown, f"{key}: no such method {unknown}"
    assert "*" in groups or not uncovered, f"{key}: no answer for {uncovered}"
    return {method: groups.get(method) or groups["*"] for method in METHODS}
