"""Uncertain submissions are checked with Adobe on a schedule until Lookout can say which it was.

Submissions left uncertain before this migration are checked at the next beat tick (those older
than the window are decided by that first check); an opt-out, which Adobe cannot look up, is
marked as of unknown outcome.
"""

from django.db import migrations, models
from django.db.models.functions import Now

CONSENT_UNKNOWN = (
    "Adobe's answer was lost, and Adobe offers no way to look an opt-out up. Sending it again "
    "is harmless: submit it again."
)


def uncertain_checks_schedule(apps, schema_editor):
    submission = apps.get_model("privacy", "PrivacySubmission")
    submission.objects.filter(state="uncertain", kind="jobs").update(next_check_at=Now())
    submission.objects.filter(state="uncertain", kind="consent").update(
        state="unknown", error=CONSENT_UNKNOWN
    )


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_sync_state_lease_and_listing"),
    ]

    operations = [
        migrations.AddField(
            model_name="privacysubmission",
            name="check_error",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="privacysubmission",
            name="checks",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="privacysubmission",
            name="checks_failed",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="privacysubmission",
            name="last_checked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="privacysubmission",
            name="next_check_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="privacysubmission",
            name="state",
            field=models.CharField(
                choices=[
                    ("recorded", "Recorded, not sent yet"),
                    ("sent", "Accepted by Adobe"),
                    ("failed", "Not accepted"),
                    ("uncertain", "Sent, outcome unknown (checking with Adobe)"),
                    ("not_received", "Not received by Adobe"),
                    ("unknown", "Outcome unknown"),
                ],
                default="recorded",
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="privacysubmission",
            index=models.Index(
                condition=models.Q(("state", "uncertain")),
                fields=["next_check_at"],
                name="privacy_submission_check_due",
            ),
        ),
        migrations.RunPython(uncertain_checks_schedule, migrations.RunPython.noop),
    ]
