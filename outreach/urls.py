from django.urls import path

from outreach import linkedin_views, views

app_name = "outreach"

urlpatterns = [
    path("prospects/<int:pk>/contactability/", views.contactability, name="contactability"),
    path("prospects/<int:pk>/mail/", views.prospect_mail, name="prospect_mail"),
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_form, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", views.campaign_form, name="campaign_edit"),
    path("campaigns/<int:pk>/decide/", views.campaign_decide, name="campaign_decide"),
    path("campaigns/<int:pk>/send/", views.campaign_send, name="campaign_send"),
    path("campaigns/<int:pk>/cancel/", views.campaign_cancel, name="campaign_cancel"),
    path("campaigns/<int:pk>/messages/<int:message_pk>/log/", views.message_log, name="message_log"),
    path("notices/", views.notice_review, name="notices"),
    path("linkedin/", linkedin_views.linkedin_capture, name="linkedin_capture"),
    path("linkedin/<int:pk>/message/", linkedin_views.linkedin_message, name="linkedin_message"),
    path("mailbox/", views.mailbox_status, name="mailbox"),
    path("stop-replies/<int:pk>/confirm/", views.proposal_confirm, name="proposal_confirm"),
    path("stop-replies/<int:pk>/dismiss/", views.proposal_dismiss, name="proposal_dismiss"),
]
