#!/usr/bin/env bash
# Run every test on SQLite, and again on PostgreSQL when TEST_POSTGRES_URL names a server.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh || { echo "Could not install the Debian packages the tests need."; exit 1; }
PY=.venv/bin/python
mkdir -p test-results
summary() {
  $PY - "$1" "$2" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
name, path = sys.argv[1], sys.argv[2]
try:
    root = ET.parse(path).getroot()
except Exception:
    print(f"{name}: no results (the run did not finish)"); sys.exit(0)
suites = [root] if root.tag == "testsuite" else list(root)
tests = sum(int(s.get("tests", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
print(f"{name}: {tests - failed - skipped} passed, {failed} failed, {skipped} skipped")
PYEOF
}
status=0
echo "== Tests on SQLite =="
TEST_DATABASE=sqlite $PY -m pytest -n 2 -q --junitxml=test-results/sqlite.xml "$@" || status=1
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  echo "== Tests on PostgreSQL (${TEST_POSTGRES_URL}) =="
  TEST_DATABASE=postgres $PY -m pytest -n 2 -q --junitxml=test-results/postgres.xml "$@" || status=1
else
  echo "== PostgreSQL skipped: set TEST_POSTGRES_URL=postgresql://user@host:5432/db to run the suite there too =="
fi
echo
summary SQLite test-results/sqlite.xml
[ -n "${TEST_POSTGRES_URL:-}" ] && summary PostgreSQL test-results/postgres.xml
[ $status -eq 0 ] && echo "All tests passed." || echo "Some tests failed."
exit $status
