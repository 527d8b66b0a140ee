from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []  # noqa: RUF012 - Django's own shape
    operations = [  # noqa: RUF012
        migrations.CreateModel(
            name="Dossier",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("code", models.CharField(max_length=50, unique=True)),
                ("citizen", models.CharField(max_length=200)),
                ("phone", models.CharField(blank=True, max_length=20)),
                ("fee_name", models.CharField(max_length=200)),
                ("fee", models.PositiveIntegerField()),
                ("paid", models.BooleanField(default=False)),
            ],
            options={"db_table": "example_portal_dossier"},
        ),
    ]
