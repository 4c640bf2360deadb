from django.urls import path

from prospects import views

app_name = "prospects"

urlpatterns = [
    path("", views.prospect_list, name="list"),
    path("new/", views.prospect_create, name="create"),
    path("new/evidence/", views.evidence_fields, name="evidence"),
    path("<int:pk>/", views.prospect_detail, name="detail"),
    path("<int:pk>/edit/", views.prospect_edit, name="edit"),
    path("<int:pk>/interactions/", views.interaction_add, name="interaction_add"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("reps/<int:user_id>/deactivate/", views.rep_deactivate, name="rep_deactivate"),
]
