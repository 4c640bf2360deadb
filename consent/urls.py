from django.urls import path

from consent import public, views

app_name = "consent"

urlpatterns = [
    path("consent/prospects/<int:pk>/panel/", views.panel, name="panel"),
    path("consent/prospects/<int:pk>/objections/", views.objection_add, name="objection_add"),
    path("consent/prospects/<int:pk>/consents/", views.consent_add, name="consent_add"),
    path("consent/prospects/<int:pk>/withdrawals/", views.withdrawal_add, name="withdrawal_add"),
    path("consent/suppression/", views.suppression_summary, name="suppression"),
    path("consent/brokers/", views.broker_queue, name="brokers"),
    path("consent/brokers/export/", views.broker_export, name="broker_export"),
    # Public pages: no account; the signed token is the credential (org.conduct exempts /u/).
    path("u/unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    path("u/preferences/<str:token>/", public.preference_page, name="preferences"),
    path("u/join/<str:token>/", public.invitation, name="invitation"),
    path("u/confirm/<str:token>/", public.confirm, name="confirm"),
]
