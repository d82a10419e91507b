#!/bin/sh
# The "temporal-schema" one-shot (temporalio/admin-tools): brings Temporal's two databases to the schema of the
# admin-tools version, before the server of the same version starts. Safe to run at every `docker compose up`:
# setup-schema -v 0.0 leaves a database that already has a schema alone, and update-schema applies only the
# versions that are missing. This is how a Temporal upgrade migrates the schema: bump the server and admin-tools
# images together (one minor version at a time) and `docker compose up -d`.
#
# Connection: SQL_PASSWORD comes from the environment (temporal-sql-tool reads it there); the databases and the
# "temporal" role were made by deploy/postgres/init-databases.sh.
set -eu

: "${SQL_PASSWORD:?SQL_PASSWORD is not set}"
host=${SQL_HOST:-postgres}
port=${SQL_PORT:-5432}
user=${SQL_USER:-temporal}
# The schema files that ship in the admin-tools image, matching its version.
schema=${SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}

tool() {
  temporal-sql-tool --plugin postgres12 --ep "$host" -p "$port" -u "$user" "$@"
}

echo "temporal-schema: temporal (persistence)"
tool --db temporal setup-schema -v 0.0
tool --db temporal update-schema -d "$schema/temporal/versioned"

echo "temporal-schema: temporal_visibility (SQL visibility: what the Web UI and 'workflow list --query' search)"
tool --db temporal_visibility setup-schema -v 0.0
tool --db temporal_visibility update-schema -d "$schema/visibility/versioned"

echo "temporal-schema: done"
