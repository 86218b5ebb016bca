"""Roles as groups with their permissions (``contactcenter.roles`` holds the table)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from contactcenter.roles import roles_sync

    # Permissions are normally created after all migrations; create them now
    # so the groups can be granted them in this migration.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    roles_sync(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


def drop_roles(apps, schema_editor):
    from contactcenter.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLE_PERMISSIONS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("consent", "0002_ledger_guards"),
        ("conversations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, drop_roles)]
