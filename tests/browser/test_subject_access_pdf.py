"""The subject-access copy printed to PDF by Chromium holds every message's subject and status.

Its printed HTML once dropped the message columns (issue 20); the print stylesheet wraps long
cells instead. Chromium prints the package's page (Playwright's ``page.pdf``) and pdftotext
reads the PDF back: each message's subject and status label must be there, whole.
"""

import io
import zipfile

import pytest
from django.utils import translation

from outreach.models import Message, MessageStatus
from registry.subject_access import export_subject_data
from tests import factories, office

pytestmark = pytest.mark.browser

SUBJECTS = {
    MessageStatus.SENT: "Your quotation for the spring trade fair stand and its delivery schedule",
    MessageStatus.REFUSED: "Invitation to the purchasing directors breakfast in Lyon next month",
    MessageStatus.FAILED: "Follow-up on the maintenance contract renewal we discussed by phone",
    MessageStatus.QUEUED: "New catalogue of industrial sensors with the prices for resellers",
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_chromium_prints_every_message_s_subject_and_status(page, tmp_path, language):
    office.require("pdftotext")
    rep, admin = factories.user(role="sales", username="rep"), factories.user(role="admin", username="admin")
    person = factories.prospect(by=rep, email="jeanne.martin@acme.fr", language=language)
    for status, subject in SUBJECTS.items():  # one message per campaign and person
        Message.objects.create(
            campaign=factories.campaign(by=rep),
            prospect=person,
            decision="allow",
            status=status,
            subject=subject,
            body=subject,
        )
    with zipfile.ZipFile(io.BytesIO(export_subject_data(person, by=admin).content)) as archive:
        copy = archive.read("index.html").decode()

    page.set_content(copy)
    pdf = tmp_path / "subject-access.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)  # the copy's own @page: A4 landscape
    text = office.text_of(pdf)

    with translation.override(language):
        labels = {status: str(status.label) for status in SUBJECTS}
    assert [subject for subject in SUBJECTS.values() if subject not in text] == []
    assert [label for label in labels.values() if label not in text] == []
