"""Seed the regulations Lookout knows (privacy/services/regulations.py), with answer deadlines."""

from django.db import migrations

from privacy.services.regulations import DEFAULT_REGULATIONS


def add_regulations(apps, schema_editor):
    # The historical model, not privacy.models: this runs at this point of the schema's history.
    Regulation = apps.get_model("privacy", "Regulation")
    for code, name, legacy, days in DEFAULT_REGULATIONS:
        Regulation.objects.update_or_create(
            code=code, defaults={"name": name, "legacy_codes": legacy, "days_to_respond": days}
        )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_jobs")]

    operations = [migrations.RunPython(add_regulations, migrations.RunPython.noop)]
