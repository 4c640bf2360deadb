"""Receiving an import file: refused above the size limit before any byte of it is written.

Django hands the body of a multipart request to its upload handlers, which write a large
file to a temporary file as it arrives. ``SizeLimit`` runs first: a body whose declared
length passes the limit stops the upload before the first handler opens a file (Django
then reads the rest of the body and discards it), and a body that grows past it while
read stops there too. Django never reads more than the declared length, so the first
check is exact for every request.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

from prospects.import_files import Limits, megabytes

# The form's other fields (provenance, evidence, CSRF token) share the body with the file.
FIELDS_ALLOWANCE = 64 * 1024


class SizeLimit(FileUploadHandler):
    """The first upload handler of the import page: stops an upload larger than ``limit``."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.refused = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.refused = content_length > self.limit + FIELDS_ALLOWANCE

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.refused:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.refused = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file

    def message(self) -> str:
        return _("The file is larger than %(limit)s, the largest an import accepts.") % {
            "limit": megabytes(self.limit)
        }

    @classmethod
    def for_imports(cls, request) -> "SizeLimit":
        return cls(request, limit=Limits.from_settings().max_bytes)


def import_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def store(upload) -> Path:
    """Keep the uploaded file where the worker can read it; it is deleted once imported, or by
    the clean-up (import_cleanup.py) if it never is."""
    folder = import_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()[:5]}"
    with open(path, "wb") as file:
        for chunk in upload.chunks():
            file.write(chunk)
    path.chmod(0o600)
    return path
