"""The running sync's progress on its sync state, for the job list: jobs listed so far and the
regulation being listed."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("privacy", "0005_unread_details_asked_again")]

    operations = [
        migrations.AddField(
            model_name="privacysyncstate",
            name="progress_jobs",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="privacysyncstate",
            name="progress_regulation",
            field=models.CharField(blank=True, max_length=40),
        ),
    ]
