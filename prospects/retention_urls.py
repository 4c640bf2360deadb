from django.urls import path

from prospects import retention_views

app_name = "retention"

urlpatterns = [
    path("purges/", retention_views.purge_overview, name="purges"),
    path("purges/panel/", retention_views.purge_panel, name="purge_panel"),
    path("<int:pk>/legal-hold/", retention_views.legal_hold, name="legal_hold"),
]
