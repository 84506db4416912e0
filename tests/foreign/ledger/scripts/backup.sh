#!/bin/sh
# The ledger's own backup: a plain-SQL pg_dump of the ledger database into $BACKUP_DIR
# (what `pg_dump` writes by default; the rollback suite runs this as BAK-04's fixture).
set -eu
out="${BACKUP_DIR:?}/ledger-$(date -u +%Y%m%d_%H%M%S).sql"
docker compose exec -T -u postgres ledger-db pg_dump -U ledger ledger > "$out.part"
mv "$out.part" "$out"
echo "backup written: $out"
