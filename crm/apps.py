from django.apps import AppConfig
from django.core.signals import request_finished, request_started
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Loyal")

    def ready(self):
        from crm import logging

        # Every log line written while a request runs carries its id.
        request_started.connect(logging.begin_request, dispatch_uid="crm.logging.begin_request")
        request_finished.connect(logging.end_request, dispatch_uid="crm.logging.end_request")
