import pytest
from django.core.exceptions import ValidationError

from consent.models import Purpose
from outreach.campaigns import create_campaign


@pytest.mark.parametrize("field", ["subject_fr", "subject_en", "sender_name"])
def test_a_header_with_a_line_break_is_refused_naming_the_field(rep, field):
    fields = {
        "name": "Spring offer",
        "channel": "email",
        "purpose": Purpose.objects.get(code="b2b_prospecting"),
    }

    with pytest.raises(ValidationError) as refused:
        create_campaign(by=rep, **fields, **{field: "Offer\nBcc: someone@example.com"})

    assert field in refused.value.message_dict
