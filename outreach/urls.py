from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path("prospects/<int:pk>/contactability/", views.contactability, name="contactability"),
]
