"""The job list's search: ids by their start, and a search column for members and admins.

``personal_search`` is written by the database from the user key and identities, so every writer
(the sync's bulk upserts, submissions, reconciliation) keeps it current without knowing of it. On
PostgreSQL a trigram index serves its LIKE '%|text%' (pg_trgm ships with PostgreSQL and is a
trusted extension: the database's owner may create it); SQLite scans, as it does for any LIKE.
"""

import django.db.models.expressions
import django.db.models.fields.json
import django.db.models.functions.comparison
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


TRIGRAM_INDEX = "privacy_job_personal_search_trgm"


def trigram_index_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX {TRIGRAM_INDEX} ON privacy_privacyjob "
        "USING gin (personal_search gin_trgm_ops)"
    )


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0005_task_queue_state"),
        ("privacy", "0007_sync_progress"),
    ]

    operations = [
        migrations.AddField(
            model_name="privacyjob",
            name="personal_search",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Lower(
                    models.Func(
                        models.Value("|"),
                        models.Case(
                            models.When(
                                models.Q(
                                    django.db.models.lookups.Exact(
                                        django.db.models.functions.text.Substr("user_key", 1, 2),
                                        models.Value("LK"),
                                    ),
                                    django.db.models.lookups.Exact(
                                        django.db.models.functions.text.Substr("user_key", 13, 1),
                                        models.Value("-"),
                                    ),
                                    django.db.models.lookups.GreaterThan(
                                        django.db.models.functions.text.StrIndex(
                                            django.db.models.functions.text.Substr("user_key", 14),
                                            models.Value("-"),
                                        ),
                                        0,
                                    ),
                                ),
                                then=django.db.models.functions.text.Substr(
                                    django.db.models.functions.text.Substr("user_key", 14),
                                    django.db.models.expressions.CombinedExpression(
                                        django.db.models.functions.text.StrIndex(
                                            django.db.models.functions.text.Substr("user_key", 14),
                                            models.Value("-"),
                                        ),
                                        "+",
                                        models.Value(1),
                                    ),
                                ),
                            ),
                            models.When(
                                models.Q(
                                    django.db.models.lookups.Exact(
                                        django.db.models.functions.text.Substr("user_key", 1, 2),
                                        models.Value("LK"),
                                    ),
                                    django.db.models.lookups.Exact(
                                        django.db.models.functions.text.Substr("user_key", 13, 1),
                                        models.Value("-"),
                                    ),
                                ),
                                then=models.Value(""),
                            ),
                            default=models.F("user_key"),
                        ),
                        models.Value("|"),
                        models.F("user_key"),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("0", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("1", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("2", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("3", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("4", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("5", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("6", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("7", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        django.db.models.functions.comparison.Coalesce(
                            django.db.models.fields.json.KeyTextTransform(
                                "value",
                                django.db.models.fields.json.KeyTextTransform("8", "user_ids"),
                            ),
                            models.Value(""),
                        ),
                        models.Value("|"),
                        arg_joiner=" || ",
                        output_field=models.TextField(),
                        template="(%(expressions)s)",
                    )
                ),
                output_field=models.TextField(),
            ),
        ),
        migrations.AddIndex(
            model_name="privacyjob",
            index=models.Index(
                fields=["job_id"], name="privacy_job_id_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="privacyjob",
            index=models.Index(fields=["organization", "user_key"], name="privacy_job_by_user_key"),
        ),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
    ]
