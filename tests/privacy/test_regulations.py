"""Regulations have one source of truth at run time: the Regulation table admins edit.

Defaults come from ``adobe.regulations`` and never overwrite an admin's edits; the data migration
is a frozen copy; legacy codes are mapped through the table before the client is called; a code
the table has but Adobe does not know is sent anyway, and Adobe's refusal is what people see.
"""

from __future__ import annotations

import ast
import importlib
import uuid
from pathlib import Path

import pytest
from django.urls import reverse

from adobe.regulations import REGULATIONS
from privacy.models import PrivacyJob, PrivacySubmission, PrivacySyncState, Regulation
from privacy.services.regulations import (
    regulation_codes,
    regulation_current_code,
    regulation_defaults_ensure,
)
from privacy.services.submissions import submission_record, submission_send
from privacy.services.sync import privacy_sync

CREATE = "POST /data/core/privacy/jobs"
MIGRATION = Path(__file__).resolve().parents[2] / "privacy/migrations/0002_regulations.py"
JANE = [("ticket-1", [("Email", "jane@example.com")])]


def _admin_add(client, staff, **data):
    client.force_login(staff)
    form = {"code": "", "name": "A regulation", "legacy_codes": "", "days_to_respond": "30"}
    return client.post(reverse("admin:privacy_regulation_add"), {**form, **data})


def _submit(client, member, org, regulation):
    client.force_login(member)
    form = {
        "submission_key": str(uuid.uuid4()),  # each POST is a new rendering of the form
        "regulation": regulation,
        "actions": ["access"],
        "products": ["analytics"],
        "subjects": "ticket-1 | Email:jane@example.com",
    }
    url = reverse("privacy:request_new", args=[org.code])
    return client.post(url, form, follow=True).content.decode()


# -- the data migration ---------------------------------------------------------------------------


def test_the_data_migration_imports_nothing_from_lookout_or_adobe():
    tree = ast.parse(MIGRATION.read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in imported if m.split(".")[0] in ("adobe", "privacy", "dashboard")}
    assert not {m for m in imported if m.startswith("privacy.services")}
    assert imported <= {"django.db", "__future__"}


def test_the_data_migration_seeded_its_frozen_rows(db):
    frozen = importlib.import_module("privacy.migrations.0002_regulations").REGULATIONS
    rows = Regulation.objects.values_list("code", "name", "legacy_codes", "days_to_respond")
    assert sorted(rows) == sorted(frozen)
    assert len(frozen) == 27
    assert ("ucpa_ut_usa", "Utah Consumer Privacy Act", "ucpa_usa", 45) in frozen


# -- defaults --------------------------------------------------------------------------------------


def test_defaults_fill_an_empty_table_from_adobe_regulations(db):
    Regulation.objects.all().delete()

    assert regulation_defaults_ensure() == len(REGULATIONS)

    colorado = Regulation.objects.get(code="cpa_co_usa")
    assert (colorado.legacy_codes, colorado.days_to_respond) == ("cpa_usa,cpa", 45)
    assert Regulation.objects.get(code="icdpa_ia_usa").days_to_respond == 90


def test_defaults_ensure_adds_missing_rows_and_keeps_admin_edits(db):
    Regulation.objects.filter(code="pipa_kor").delete()
    Regulation.objects.filter(code="gdpr").update(
        name="GDPR (EU and EEA)", legacy_codes="dsgvo", days_to_respond=28
    )

    assert regulation_defaults_ensure() == 1
    assert regulation_defaults_ensure() == 0  # twice changes nothing

    korea = Regulation.objects.get(code="pipa_kor")
    assert (korea.name, korea.legacy_codes, korea.days_to_respond) == (
        "South Korea Personal Information Protection Act",
        "",
        10,
    )
    gdpr = Regulation.objects.get(code="gdpr")
    assert (gdpr.name, gdpr.legacy_codes, gdpr.days_to_respond) == (
        "GDPR (EU and EEA)",
        "dsgvo",
        28,
    )


def test_a_regulation_an_admin_renamed_is_not_added_back(db):
    # Adobe renames Utah's code again; the admin keeps the old ones as legacy codes.
    Regulation.objects.filter(code="ucpa_ut_usa").update(
        code="ucpa_ut_usa_2027", legacy_codes="ucpa_ut_usa,ucpa_usa"
    )

    assert regulation_defaults_ensure() == 0
    assert not Regulation.objects.filter(code="ucpa_ut_usa").exists()
    assert regulation_current_code("ucpa_usa") == "ucpa_ut_usa_2027"


# -- codes through the table -----------------------------------------------------------------------


def test_legacy_codes_map_to_current_codes_through_the_table(db):
    assert regulation_current_code("ucpa_usa") == "ucpa_ut_usa"
    assert regulation_current_code(" CPA ") == "cpa_co_usa"
    assert regulation_current_code("gdpr") == "gdpr"
    assert regulation_current_code("pdpd_vnm") == "pdpd_vnm"  # unknown: Adobe will judge it

    Regulation.objects.filter(code="gdpr").update(legacy_codes="dsgvo")  # an admin's edit

    assert regulation_current_code("dsgvo") == "gdpr"
    assert regulation_codes() == set(Regulation.objects.values_list("code", flat=True))
    assert "gdpr" in regulation_codes() and "ucpa_usa" not in regulation_codes()


def test_staff_add_a_regulation_in_the_admin(client, staff):
    response = _admin_add(
        client, staff, code="PDPD_VNM", name="Vietnam PDPD", legacy_codes="PDPD, pdpd_old"
    )

    assert response.status_code == 302
    vietnam = Regulation.objects.get(code="pdpd_vnm")  # stored as the client sends it
    assert vietnam.legacy_codes == "pdpd,pdpd_old"
    assert regulation_current_code("pdpd_old") == "pdpd_vnm"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "pdpd vnm"}, "Use a-z, 0-9 and _ only"),
        ({"code": "pdpd_vnm", "legacy_codes": "pdpd-old"}, "Separate codes with commas"),
        ({"code": "pdpd_vnm", "legacy_codes": "pdpd_vnm"}, "cannot be a legacy code too"),
        ({"code": "ql25"}, "ql25 is a legacy code of ql25_qc_can: edit that regulation"),
        (
            {"code": "ucpa_new", "legacy_codes": "ucpa_usa"},
            "Already a code of another regulation: ucpa_usa (ucpa_ut_usa)",
        ),
        ({"code": "gdpr"}, "Regulation with this Code already exists."),
    ],
)
def test_the_admin_refuses_a_code_that_would_be_malformed_or_ambiguous(
    client, staff, data, message
):
    before = set(Regulation.objects.values_list("code", "legacy_codes"))

    response = _admin_add(client, staff, **data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert set(Regulation.objects.values_list("code", "legacy_codes")) == before


# -- what reaches Adobe ----------------------------------------------------------------------------


def test_a_regulation_an_admin_adds_is_sent_and_adobes_refusal_is_shown(
    client, staff, member, sim_org, adobe
):
    # Vietnam's decree is not one of Adobe's regulations (the simulator's list, §2.8).
    _admin_add(client, staff, code="pdpd_vnm", name="Vietnam PDPD")

    page = _submit(client, member, sim_org, "pdpd_vnm")

    assert adobe.request_count(CREATE) == 1  # Lookout did not refuse it: Adobe did
    assert "Adobe Privacy Service refused the request:" in page
    assert "Invalid regulation &#x27;pdpd_vnm&#x27;" in page
    submission = PrivacySubmission.objects.get()
    assert submission.state == "failed" and submission.regulation == "pdpd_vnm"
    assert "Invalid regulation 'pdpd_vnm'" in submission.error


def test_a_regulation_adobe_knows_can_be_added_by_an_admin_and_used(
    client, staff, member, sim_org, adobe
):
    # As if Adobe added Korea's law after this installation's defaults were written.
    Regulation.objects.filter(code="pipa_kor").delete()
    assert "Select a valid choice." in _submit(client, member, sim_org, "pipa_kor")
    assert adobe.request_count(CREATE) == 0

    _admin_add(client, staff, code="pipa_kor", name="Korea PIPA", days_to_respond="10")
    page = _submit(client, member, sim_org, "pipa_kor")

    assert "Adobe accepted the request: 1 job created." in page
    job = PrivacyJob.objects.get(organization=sim_org)
    assert job.regulation == "pipa_kor"


def test_a_legacy_code_is_recorded_and_sent_as_the_current_code(member, sim_org, adobe):
    # Adobe stopped accepting ucpa_usa on 28 July 2025: only ucpa_ut_usa gets through.
    submission = _record(member, sim_org, "ucpa_usa")
    assert submission.regulation == "ucpa_ut_usa"

    submission = submission_send(submission=submission)

    assert submission.state == "sent", submission.error
    assert PrivacyJob.objects.get(organization=sim_org).regulation == "ucpa_ut_usa"


def test_a_stored_legacy_code_is_sent_as_the_current_code(member, sim_org, adobe):
    # Recorded before an admin listed "dsgvo" as a legacy code of GDPR (or by an older Lookout).
    submission = _record(member, sim_org, "gdpr")
    PrivacySubmission.objects.filter(pk=submission.pk).update(regulation="dsgvo")
    Regulation.objects.filter(code="gdpr").update(legacy_codes="dsgvo")

    submission = submission_send(submission=PrivacySubmission.objects.get(pk=submission.pk))

    assert submission.state == "sent", submission.error
    assert PrivacySubmission.objects.get().regulation == "gdpr"
    assert PrivacyJob.objects.get(organization=sim_org).regulation == "gdpr"


def test_a_sync_lists_the_table_by_current_codes_only(adobe, member, sim_org, settings):
    # A configured legacy code is listed as today's code, once; a regulation missing from the
    # table is not listed, whatever adobe.regulations says.
    settings.LOOKOUT_PRIVACY_REGULATIONS = ["UCPA_USA", "gdpr"]
    Regulation.objects.filter(code="ccpa").delete()

    result = privacy_sync(organization_id=sim_org.pk)

    assert result.error == "" and result.skipped_regulations == []
    listed = PrivacySyncState.objects.get(organization=sim_org).regulations
    assert "gdpr" in listed and "ccpa" not in listed and "ucpa_usa" not in listed
    assert not PrivacyJob.objects.filter(organization=sim_org, regulation="ccpa").exists()


def _record(member, organization, regulation: str):
    return submission_record(
        organization=organization,
        submitted_by=member,
        regulation=regulation,
        actions=["access"],
        products=["analytics"],
        subjects=JANE,
    )
