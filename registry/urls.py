from django.urls import path

from registry import request_views, views

app_name = "registry"

urlpatterns = [
    path("", views.register, name="register"),
    path("versions/<int:number>/sign/", views.sign_off, name="sign_off"),
    path("export/<str:fmt>/", views.register_export, name="export"),
    path("activities/<slug:code>/", views.activity, name="activity"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("access-log/", views.access_log, name="access_log"),
    path("list-exports/", views.list_exports, name="list_exports"),
    path("breaches/", views.breach_list, name="breaches"),
    path("breaches/export/<str:fmt>/", views.breach_export, name="breach_export"),
    path("breaches/<int:pk>/", views.breach, name="breach"),
    path("breaches/<int:pk>/notified/", views.breach_notified, name="breach_notified"),
    path("breaches/<int:pk>/follow-up/", views.breach_follow_up, name="breach_follow_up"),
    path("erasures/", views.erasure_log, name="erasures"),
    path("propagation/", views.propagation_queue, name="propagation"),
    path("organisation/", views.organisation, name="organisation"),
    path("requests/", request_views.request_list, name="requests"),
    path("requests/<int:pk>/", request_views.request_detail, name="request"),
    path("requests/<int:pk>/assign/", request_views.request_assign, name="request_assign"),
    path("requests/<int:pk>/extend/", request_views.request_extend, name="request_extend"),
    path("requests/<int:pk>/close/", request_views.request_close, name="request_close"),
    path("requests/<int:pk>/link/", request_views.request_link, name="request_link"),
    path("requests/<int:pk>/execute/", request_views.request_execute, name="request_execute"),
    path("restrictions/<int:pk>/lift/", request_views.restriction_lift, name="restriction_lift"),
    path("subject-access/", request_views.subject_access_export, name="subject_access"),
]
