from django.urls import path

from prospects import import_views, list_views, next_step_views, pipeline_views, views, webhook_views

app_name = "prospects"

urlpatterns = [
    path("", views.prospect_list, name="list"),
    path("new/", views.prospect_create, name="create"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("export/<str:fmt>/", views.prospect_export, name="export"),
    path("lists/", views.list_index, name="lists"),
    path("<int:pk>/lists/", views.add_one_to_list, name="add_to_list"),
    path("<int:pk>/lists/remove/", list_views.remove_from_list, name="remove_from_list"),
    path("views/", list_views.view_save, name="view_save"),
    path("views/<int:pk>/delete/", list_views.view_delete, name="view_delete"),
    path("board/", pipeline_views.board, name="board"),
    path("webhooks/", webhook_views.endpoints, name="webhooks"),
    path("webhooks/<int:pk>/", webhook_views.endpoint_detail, name="webhook"),
    path("webhooks/deliveries/<int:pk>/resend/", webhook_views.resend, name="webhook_resend"),
    path("<int:pk>/stage/", pipeline_views.move, name="move"),
    path("<int:pk>/customer/", pipeline_views.customer_edit, name="customer"),
    path("pipeline/", pipeline_views.pipeline_settings, name="pipeline_settings"),
    path("pipeline/stages/", pipeline_views.stage_save, name="stage_add"),
    path("pipeline/stages/<int:pk>/", pipeline_views.stage_save, name="stage_edit"),
    path("pipeline/categories/", pipeline_views.category_save, name="category_add"),
    path("pipeline/categories/<int:pk>/", pipeline_views.category_save, name="category_edit"),
    path("new/evidence/", views.evidence_fields, name="evidence"),
    path("<int:pk>/", views.prospect_detail, name="detail"),
    path("<int:pk>/edit/", views.prospect_edit, name="edit"),
    path("<int:pk>/interactions/", views.interaction_add, name="interaction_add"),
    path("<int:pk>/notes/", views.note_add, name="note_add"),
    path("<int:pk>/next-steps/", next_step_views.next_step_add, name="next_step_add"),
    path("next-steps/<int:pk>/edit/", next_step_views.next_step_edit, name="next_step_edit"),
    path("next-steps/<int:pk>/done/", next_step_views.next_step_done, name="next_step_done"),
    path("reps/<int:user_id>/deactivate/", views.rep_deactivate, name="rep_deactivate"),
    path("import/", import_views.import_upload, name="import"),
    path("import/evidence/", import_views.import_evidence, name="import_evidence"),
    path("import/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("import/<int:pk>/columns/", import_views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("import/<int:pk>/resume/", import_views.import_resume, name="import_resume"),
    path("import/<int:pk>/rejected.csv", import_views.import_report_csv, name="import_report_csv"),
]
