from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from consent import api as consent_api
from crm import api, mfa_views, views
from org import views as org_views
from outreach import api as outreach_api
from prospects import api as prospects_api
from prospects import list_api, next_step_api, pipeline_api, webhook_api
from registry import api as registry_api
from registry import views as registry_views

router = DefaultRouter()
router.register("prospects", prospects_api.ProspectViewSet, basename="prospect")
router.register("next-steps", next_step_api.NextStepViewSet, basename="next-step")
router.register("campaigns", outreach_api.CampaignViewSet, basename="campaign")
router.register("lists", list_api.ListViewSet, basename="prospectlist")
router.register("saved-views", list_api.SavedViewViewSet, basename="savedview")
router.register("stages", pipeline_api.StageViewSet, basename="stage")
router.register("categories", pipeline_api.CategoryViewSet, basename="category")
router.register("webhooks", webhook_api.WebhookEndpointViewSet, basename="webhook")
interactions = prospects_api.InteractionViewSet.as_view({"get": "list", "post": "create"})
consents = consent_api.ConsentViewSet.as_view({"get": "list", "post": "create"})
objections = consent_api.ObjectionViewSet.as_view({"get": "list", "post": "create"})
# The docs page only reads; its OPTIONS would render DRF's metadata with an HTML renderer (a 500).
swagger_page = SpectacularSwaggerSplitView.as_view(url_name="api-schema", http_method_names=["get", "head"])

handler404 = api.not_found
urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", org_views.PasswordChange.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", org_views.PasswordReset.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        org_views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/token/", org_views.api_token, name="api_token"),
    path("accounts/profile/", org_views.profile, name="profile"),
    path("accounts/mfa/", mfa_views.verify, name="mfa"),
    path("accounts/mfa/setup/", mfa_views.setup, name="mfa_setup"),
    path("accounts/mfa/recovery/", mfa_views.recovery_codes, name="mfa_recovery"),
    path("users/<int:pk>/mfa/reset/", mfa_views.reset, name="mfa_reset"),
    path("conduct/", org_views.conduct_page, name="conduct"),
    path("conduct/edit/", org_views.conduct_edit, name="conduct_edit"),
    path("users/", org_views.users, name="users"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("prospects/", include("prospects.urls")),
    path("prospects/", include("prospects.retention_urls")),
    path("outreach/", include("outreach.urls")),
    path("registry/", include("registry.urls")),
    path("privacy/", registry_views.privacy_notice, name="privacy"),
    path("", include("consent.urls")),
    path("", include("webforms.urls")),
    path("api/prospects/<int:prospect_pk>/interactions/", interactions, name="prospect-interactions"),
    path("api/prospects/<int:prospect_pk>/consents/", consents, name="prospect-consents"),
    path("api/prospects/<int:prospect_pk>/objections/", objections, name="prospect-objections"),
    path(
        "api/prospects/<int:prospect_pk>/pipeline/",
        pipeline_api.PipelineView.as_view(),
        name="prospect-pipeline",
    ),
    path("api/register/", registry_api.RegisterView.as_view(), name="api-register"),
    path("api/", include(router.urls)),
    path("api/me/", api.me, name="api-me"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", swagger_page, name="api-docs"),
]
