"""Jobs whose detail Adobe answered with a passing 404 before 0005 were stamped as read with no
product responses, and never asked again. Ask them again at the next sync: a detail that was read
always left its raw JSON, so a row stamped as read without it is one of those."""

from django.db import migrations
from django.db.models.functions import Now


def unread_details_ask_again(apps, schema_editor):
    job = apps.get_model("privacy", "PrivacyJob")
    job.objects.filter(detail_fetched_at__isnull=False, raw_detail="", gone_at__isnull=True).update(
        detail_fetched_at=None, next_detail_at=Now()
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0004_submission_checks")]

    operations = [migrations.RunPython(unread_details_ask_again, migrations.RunPython.noop)]
