#!/usr/bin/env bash
# First start of the `warehouse` service only (the postgres image runs /docker-entrypoint-initdb.d
# when its data volume is empty). Creates the login the pipeline uses and makes it the owner of
# the warehouse database, so the pipeline never runs as the superuser.
#
#   postgres  (POSTGRES_USER)   superuser, for the operator only (backups, upgrades, new logins)
#   satudata  (WAREHOUSE_OWNER) owns the database: the pipeline's migrations create the schemas
#                               and, with CREATEROLE, the roles loader/transformer/publisher/
#                               auditor and their grants (docs/deploy.md, "Warehouse roles")
#
# Nobody else may connect until a migration grants CONNECT to a role. Passwords come from the
# environment (.env), never from this file.
set -Eeo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner="$WAREHOUSE_OWNER" -v password="$WAREHOUSE_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
create role :"owner" login nosuperuser nocreatedb createrole noreplication password :'password';
alter database :"db" owner to :"owner";
revoke all on database :"db" from public;
SQL

# Schemas the pipeline creates belong to the owner; nobody else may create objects in `public`.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
revoke create on schema public from public;
SQL
