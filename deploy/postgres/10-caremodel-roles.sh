#!/bin/sh
# CareModel's two database roles, made once on the first start of an empty data directory
# (the postgres image runs /docker-entrypoint-initdb.d/* then, as its superuser). See docs/adr/0012.
#   caremodel_owner  owns the database and every table; only migrations connect as it.
#   caremodel_app    web, worker and beat connect as it; app-grants.sql says what it may do.
# The owner is a member of the app role (so it can hand the app role the one table the nightly
# risk run must own, and alter it in later migrations); the app role is never a member of the owner.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" \
    -v owner_password="$CAREMODEL_DB_OWNER_PASSWORD" \
    -v app_password="$CAREMODEL_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE caremodel_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE caremodel_app LOGIN PASSWORD :'app_password';
GRANT caremodel_app TO caremodel_owner;
ALTER DATABASE :"db" OWNER TO caremodel_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO caremodel_app;
SQL
