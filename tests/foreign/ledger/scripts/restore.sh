#!/bin/sh
# The ledger's own restore: replace what database $RESTORE_DATABASE holds with the plain-SQL
# dump $RESTORE_FILE (the rollback suite runs this in RBK-01 and the RBK-02 drill).
set -eu
psql() {
  docker compose exec -T -u postgres ledger-db psql -X -q -v ON_ERROR_STOP=1 -U ledger \
    -d "${RESTORE_DATABASE:?}" "$@"
}
psql -c 'DROP SCHEMA IF EXISTS public CASCADE' -c 'CREATE SCHEMA public'
psql --single-transaction -o /dev/null < "${RESTORE_FILE:?}"
echo "restored ${RESTORE_FILE} into ${RESTORE_DATABASE}"
