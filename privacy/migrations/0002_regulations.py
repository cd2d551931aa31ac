"""Seed the regulations Lookout knew when this migration was written, with answer deadlines.

The rows are a frozen copy, not an import of today's defaults (``adobe.regulations``): a migration
must do the same thing on every database it ever runs on, whatever the code around it says later.
Defaults added after this point reach existing installations through ``regulation_defaults_ensure``
(privacy/services/regulations.py), which only adds missing rows and never overwrites an admin's
edits. This module imports nothing from Lookout's apps or ``adobe/``; a test checks that.
"""

from django.db import migrations

# (code, name, legacy codes comma-separated, days to respond), as of this migration.
REGULATIONS = [
    ("apa_aus", "Australia Privacy Act", "", 30),
    ("ccpa", "California Consumer Privacy Act", "", 45),
    ("cpa_co_usa", "Colorado Privacy Act", "cpa_usa,cpa", 45),
    ("cpra_ca_usa", "California Privacy Rights Act", "cpra_usa", 45),
    ("ctdpa_ct_usa", "Connecticut Data Privacy Act", "ctdpa_usa,ctdpa", 45),
    ("dpdpa_de_usa", "Delaware Personal Data Privacy Act", "dpdpa", 45),
    ("fdbr_fl_usa", "Florida Digital Bill of Rights", "fdbr_usa", 45),
    ("gdpr", "EU General Data Protection Regulation", "", 30),
    ("hipaa_usa", "US Health Insurance Portability and Accountability Act", "", 30),
    ("icdpa_ia_usa", "Iowa Consumer Data Protection Act", "icdpa_usa", 90),
    ("lgpd_bra", "Brazil Lei Geral de Proteção de Dados", "", 15),
    ("mcdpa_mn_usa", "Minnesota Consumer Data Privacy Act", "", 45),
    ("mcdpa_mt_usa", "Montana Consumer Data Privacy Act", "mcdpa_usa", 45),
    ("mhmda_wa_usa", "Washington My Health My Data Act", "mhmda_usa,mhmda", 45),
    ("modpa_md_usa", "Maryland Online Data Privacy Act", "", 45),
    ("ndpa_ne_usa", "Nebraska Data Privacy Act", "ndpa_usa", 45),
    ("nhpa_nh_usa", "New Hampshire Privacy Act", "nhpa_usa", 45),
    ("njdpa_nj_usa", "New Jersey Data Privacy Act", "njdpa_usa", 45),
    ("nzpa_nzl", "New Zealand Privacy Act", "", 20),
    ("ocpa_or_usa", "Oregon Consumer Privacy Act", "ocpa_usa", 45),
    ("pdpa_tha", "Thailand Personal Data Protection Act", "", 30),
    ("pipa_kor", "South Korea Personal Information Protection Act", "", 10),
    ("ql25_qc_can", "Quebec Law 25", "ql25", 30),
    ("tdpsa_tx_usa", "Texas Data Privacy and Security Act", "tdpsa_usa", 45),
    ("tipa_tn_usa", "Tennessee Information Protection Act", "", 45),
    ("ucpa_ut_usa", "Utah Consumer Privacy Act", "ucpa_usa", 45),
    ("vcdpa_va_usa", "Virginia Consumer Data Protection Act", "vcdpa_usa", 45),
]


def add_regulations(apps, schema_editor):
    # The historical model, not privacy.models: this runs at this point of the schema's history.
    Regulation = apps.get_model("privacy", "Regulation")
    for code, name, legacy, days in REGULATIONS:
        Regulation.objects.update_or_create(
            code=code, defaults={"name": name, "legacy_codes": legacy, "days_to_respond": days}
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_jobs")]

    operations = [migrations.RunPython(add_regulations, migrations.RunPython.noop)]
