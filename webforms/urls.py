from django.urls import path

from webforms import public, views

app_name = "webforms"

urlpatterns = [
    path("webforms/", views.form_list, name="list"),
    path("webforms/new/", views.form_create, name="create"),
    path("webforms/<int:pk>/", views.form_detail, name="detail"),
    path("webforms/<int:pk>/edit/", views.form_edit, name="edit"),
    # Public: no account, embeddable, posted to from other sites (webforms/public.py).
    path("f/<slug:slug>/", public.public_form, name="public"),
]
