"""The regulations Adobe accepts (adobe-api.md §2.8, as of 2026), with answer deadlines.

Deadlines are the statutory response periods (GDPR one month, most US state laws 45 days, LGPD 15
days, ...). Admins edit the rows afterwards; these are only the defaults a new installation (and
the 0002 data migration) starts from.
"""

from __future__ import annotations

from privacy.models import Regulation

DEFAULT_REGULATIONS = [
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


def regulation_defaults_ensure() -> int:
    """Add any default regulation that is missing; never overwrite an admin's edits."""
    existing = set(Regulation.objects.values_list("code", flat=True))
    missing = [
        Regulation(code=code, name=name, legacy_codes=legacy, days_to_respond=days)
        for code, name, legacy, days in DEFAULT_REGULATIONS
        if code not in existing
    ]
    Regulation.objects.bulk_create(missing)
    return len(missing)
