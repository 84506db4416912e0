#!/bin/sh
# Tell the port-80 redirect which host port HTTPS is published on (PUBLIC_HTTPS_PORT).
set -eu
if [ -n "${PUBLIC_HTTPS_PORT:-}" ]; then
    case "$PUBLIC_HTTPS_PORT" in *[!0-9]*) echo "bad PUBLIC_HTTPS_PORT" >&2; exit 1;; esac
    echo "set \$public_https_port $PUBLIC_HTTPS_PORT;" > /etc/nginx/runtime/public-port.conf
fi
exec "$@"
