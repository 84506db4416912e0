"""How the suite reaches things: compose, engine, hosts, HTTP, Prometheus, PostgreSQL, tools."""
