#!/usr/bin/env bash
# Whether the action must set up Node: only when the runner has none of 20.19 or later (package.json
# engines). Setting up another Node on a runner that has a good one would change it for every step
# that comes after this action in the caller's job.
set -u
if node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)' 2>/dev/null; then
  echo "setup=false" >> "$GITHUB_OUTPUT"
else
  echo "setup=true" >> "$GITHUB_OUTPUT"
fi
