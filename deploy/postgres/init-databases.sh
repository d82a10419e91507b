#!/usr/bin/env bash
# Runs once, when the postgres container initialises an empty data volume (it is mounted into
# /docker-entrypoint-initdb.d). It never runs again on an existing volume: to change a password later, use ALTER ROLE.
#
# One server, one role and one database per system, so that none of them can read another's tables:
#   temporal   owns temporal and temporal_visibility (Temporal's persistence and its SQL visibility store)
#   mattermost owns mattermost
#   incidents  owns incidents (the product's store: playbooks, incident records, timelines)
set -euo pipefail

: "${POSTGRES_TEMPORAL_PASSWORD:?POSTGRES_TEMPORAL_PASSWORD is not set}"
: "${POSTGRES_MATTERMOST_PASSWORD:?POSTGRES_MATTERMOST_PASSWORD is not set}"
: "${POSTGRES_INCIDENTS_PASSWORD:?POSTGRES_INCIDENTS_PASSWORD is not set}"

# Passwords travel as psql variables (:'name' quotes them as literals), never pasted into the SQL text.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
  --set=temporal_password="$POSTGRES_TEMPORAL_PASSWORD" \
  --set=mattermost_password="$POSTGRES_MATTERMOST_PASSWORD" \
  --set=incidents_password="$POSTGRES_INCIDENTS_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_password';
CREATE ROLE mattermost LOGIN PASSWORD :'mattermost_password';
CREATE ROLE incidents LOGIN PASSWORD :'incidents_password';

CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE DATABASE mattermost OWNER mattermost;
CREATE DATABASE incidents OWNER incidents;

-- Only each database's owner (and the superuser) may connect to it.
REVOKE ALL ON DATABASE temporal, temporal_visibility, mattermost, incidents FROM PUBLIC;

-- Temporal's visibility schema wants btree_gin; creating an extension is the superuser's job, so it is done here and
-- the schema tool (running as "temporal") finds it present.
\connect temporal_visibility
CREATE EXTENSION IF NOT EXISTS btree_gin;
SQL
