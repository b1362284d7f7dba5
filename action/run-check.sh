#!/usr/bin/env bash
# The run step of action.yml, kept in a file of its own so the tests run exactly this script with the
# GITHUB_* variables pointed at temp files. Inputs arrive as INPUT_* variables (action.yml sets them).
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="${RUNNER_TEMP:-$(mktemp -d)}"
json="$out/oidc-check.json"
junit="$out/oidc-check.xml"
sarif="$out/oidc-check.sarif"
html="$out/oidc-check.html"

args=(check --client-id "$INPUT_CLIENT_ID" --json --junit "$junit" --sarif "$sarif" --html "$html" --fail-on "${INPUT_FAIL_ON:-fail}")
# The issuer may be left out when a resource is given: its RFC 9728 metadata names it.
[ -n "${INPUT_ISSUER:-}" ] && args+=(--issuer "$INPUT_ISSUER")
[ -n "${INPUT_RESOURCE:-}" ] && args+=(--resource "$INPUT_RESOURCE")
[ "${INPUT_DPOP:-false}" = "true" ] && args+=(--dpop)
# Comma-separated policies, each its own --policy.
IFS=',' read -ra policies <<< "${INPUT_POLICY:-}"
for policy in "${policies[@]}"; do
  policy="${policy//[[:space:]]/}"
  [ -n "$policy" ] && args+=(--policy "$policy")
done
[ -n "${INPUT_BROWSER_COMMAND:-}" ] && args+=(--browser-command "$INPUT_BROWSER_COMMAND")
[ -n "${INPUT_SCOPE:-}" ] && args+=(--scope "$INPUT_SCOPE")
[ -n "${INPUT_ONLY:-}" ] && args+=(--only "$INPUT_ONLY")
[ -n "${INPUT_SKIP:-}" ] && args+=(--skip "$INPUT_SKIP")
[ "${INPUT_DESTRUCTIVE:-false}" = "true" ] && args+=(--destructive)
# The secret goes through the environment (OIDC_CLIENT_SECRET), never on a command line.
export OIDC_CLIENT_SECRET="${INPUT_CLIENT_SECRET:-}"
[ -z "$OIDC_CLIENT_SECRET" ] && unset OIDC_CLIENT_SECRET

node "$here/bin/oidc-cli.js" "${args[@]}" > "$json"
code=$?
# Summary, annotations and outputs, whatever the exit code (the document is written for 3 and 4 too).
node "$here/dist/src/github/action.js" "$json" "$junit" "$sarif" "$html"
[ -n "${GITHUB_OUTPUT:-}" ] && echo "exit-code=$code" >> "$GITHUB_OUTPUT"
exit "$code"
