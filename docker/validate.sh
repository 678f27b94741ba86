#!/usr/bin/env bash
# Validates every compose file in docker/ with `docker compose config` (or the older
# `docker-compose config`). Also checks that the shapes that hold real data refuse to render
# without their secrets. Exits 0 with a notice when no compose implementation is installed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "SKIPPED: compose validation needs 'docker compose' or 'docker-compose'; neither is installed."
  exit 0
fi
echo "Using: ${compose[*]} ($("${compose[@]}" version --short 2>/dev/null || echo 'version unknown'))"

# Placeholder values: only the file structure is checked, nothing is started.
placeholders=(
  POSTGRES_PASSWORD=validate-only
  JWT_SECRET=validate-only-0123456789abcdef0123456789abcdef
  DATA_KEY=validate-only-data-key
  SIGNING_KEY=validate-only-signing-key
)
# Variables that must be present for the non-default shapes; cleared for the negative check.
secrets=(POSTGRES_PASSWORD JWT_SECRET DATA_KEY SIGNING_KEY)

failures=0
shopt -s nullglob
files=("$here"/compose*.yaml)
if [ ${#files[@]} -eq 0 ]; then
  echo "FAIL: no compose files found in $here"
  exit 1
fi

for file in "${files[@]}"; do
  name="$(basename "$file")"
  if output="$(env "${placeholders[@]}" "${compose[@]}" -f "$file" config -q 2>&1)"; then
    echo "ok      $name"
  else
    echo "FAIL    $name"
    echo "$output" | sed 's/^/        /'
    failures=$((failures + 1))
    continue
  fi

  # The embedded default must start with no secret at all; the others must demand theirs.
  if [ "$name" = "compose.yaml" ]; then
    if output="$(env -u POSTGRES_PASSWORD -u JWT_SECRET -u DATA_KEY -u SIGNING_KEY "${compose[@]}" -f "$file" config -q 2>&1)"; then
      echo "ok      $name renders without any secret"
    else
      echo "FAIL    $name should render without secrets"
      echo "$output" | sed 's/^/        /'
      failures=$((failures + 1))
    fi
  else
    optional_secrets=()
    for secret in "${secrets[@]}"; do
      others=()
      for entry in "${placeholders[@]}"; do
        [ "${entry%%=*}" = "$secret" ] || others+=("$entry")
      done
      if env -u "$secret" "${others[@]}" "${compose[@]}" -f "$file" config -q >/dev/null 2>&1; then
        optional_secrets+=("$secret")
      fi
    done
    if [ ${#optional_secrets[@]} -eq 0 ]; then
      echo "ok      $name refuses to render without ${secrets[*]}"
    else
      echo "FAIL    $name renders without ${optional_secrets[*]}; each must be required"
      failures=$((failures + 1))
    fi
  fi
done

if [ "$failures" -gt 0 ]; then
  echo "$failures problem(s) found"
  exit 1
fi
echo "All compose files are valid."
