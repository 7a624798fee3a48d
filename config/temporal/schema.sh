#!/bin/sh
# Creates the Temporal server's two PostgreSQL databases when they are missing and brings both
# schemas up to the versions in SCHEMA_DIR (the schema folders of the server version that runs).
# Safe at every start, and the one schema setup of both deployments: docker-compose.yml's
# temporal-schema job (in the admin-tools image) and `npm run cluster` (cluster/schema.ts).
# Reads the server's own settings: DB, POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD,
# DBNAME, VISIBILITY_DBNAME; and SCHEMA_DIR (…/schema/postgresql/v12).
set -eu
: "${SCHEMA_DIR:?SCHEMA_DIR must name the schema/postgresql/v12 folder of the server version}"
# The password travels in the environment, not in argv where ps shows it.
SQL_PASSWORD="$POSTGRES_PWD"
export SQL_PASSWORD

tool() {
  temporal-sql-tool --plugin "$DB" --ep "$POSTGRES_SEEDS" --port "$DB_PORT" --user "$POSTGRES_USER" "$@"
}

setup() {
  db="$1"
  dir="$2"
  # create-database and setup-schema report an existing database or schema without failing (-q);
  # update-schema applies only the versions the database lacks.
  tool --db "$db" -q create-database --defaultdb postgres
  tool --db "$db" -q setup-schema -v 0.0
  tool --db "$db" update-schema -d "$dir"
}

setup "${DBNAME:-temporal}" "$SCHEMA_DIR/temporal/versioned"
setup "${VISIBILITY_DBNAME:-temporal_visibility}" "$SCHEMA_DIR/visibility/versioned"
echo "temporal schemas ready in ${DBNAME:-temporal} and ${VISIBILITY_DBNAME:-temporal_visibility}"
