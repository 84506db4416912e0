#!/bin/bash
# First start: initdb with superuser $POSTGRES_USER (password $DB_PASSWORD, scram-sha-256),
# create database $POSTGRES_DB, listen on all container interfaces. Every start: the role's
# password is set from $DB_PASSWORD (the .env is the source of truth, also for an existing
# volume after the .env was regenerated). Then run postgres.
set -euo pipefail
: "${POSTGRES_USER:=hypercode}" "${POSTGRES_DB:=hypercode}"
: "${DB_PASSWORD:?DB_PASSWORD is required}"

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /run/postgresql
    chown -R postgres:postgres "$PGDATA" /run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "initialising database cluster in $PGDATA"
    pwfile=$(mktemp)
    printf '%s\n' "$DB_PASSWORD" > "$pwfile"
    initdb -D "$PGDATA" --username="$POSTGRES_USER" --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '*'
password_encryption = 'scram-sha-256'
unix_socket_directories = '/run/postgresql'
log_min_messages = warning
CONF
    cat > "$PGDATA/pg_hba.conf" <<HBA
# TYPE  DATABASE  USER  ADDRESS    METHOD
local   all       all              trust
host    all       all   127.0.0.1/32 scram-sha-256
host    all       all   0.0.0.0/0  scram-sha-256
host    all       all   ::/0       scram-sha-256
HBA
    if [ "$POSTGRES_DB" != postgres ]; then
        echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\";" |
            postgres --single -D "$PGDATA" -j postgres >/dev/null
    fi
    echo "database cluster ready"
fi

# Sent on stdin to a single-user backend: the password never appears in a process list or log.
escaped=${DB_PASSWORD//\'/\'\'}
printf "ALTER ROLE \"%s\" PASSWORD '%s';\n" "$POSTGRES_USER" "$escaped" |
    postgres --single -D "$PGDATA" -j postgres >/dev/null

if [ "${1:-}" = postgres ]; then
    shift
    exec postgres -D "$PGDATA" "$@"
fi
exec "$@"
