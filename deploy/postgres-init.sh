#!/bin/sh
# compose.yaml's postgres service runs this once, on its first start (an empty data volume): the database, its
# owner role cc_owner (runs the migrations) and the app's role cc_app, with scripts/db-roles.sql.
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
  -v database=contactcenter \
  -v owner_role=cc_owner -v owner_password="$CC_OWNER_PASSWORD" \
  -v app_role=cc_app -v app_password="$CC_APP_PASSWORD" \
  -f /cc/db-roles.sql
