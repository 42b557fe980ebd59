#!/usr/bin/env node
// Compares the generic tests of a manifest.json (nodes and disabled) with the names dbt-core gives
// them, as test_names.py derives them (one JSON line a test): unique_id, name, alias, path, fqn and
// package_name must be the same, and each side must have every test of the other. Tests of
// versioned models are left out (test_names.py does not derive them).
//   compare_test_names.js MANIFEST EXPECTED.jsonl
// Prints one line a difference, then "N tests, M differences"; exit code 1 when M > 0.
"use strict";
const fs = require("fs");

const manifest = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const expected = fs.readFileSync(process.argv[3], "utf8").split("\n").filter((l) => l.trim())
	.map((l) => JSON.parse(l));
const KEYS = ["name", "alias", "path", "fqn", "package_name"];

const ours = new Map();
const generic = (n) => n && n.resource_type === "test" && n.test_metadata;
const versioned = (n) => {
	const target = n.attached_node && (manifest.nodes[n.attached_node] ||
		(manifest.disabled[n.attached_node] || [])[0]);
	return Boolean(target && target.version !== null && target.version !== undefined);
};
for (const n of Object.values(manifest.nodes)) if (generic(n) && !versioned(n)) ours.set(n.unique_id, n);
for (const list of Object.values(manifest.disabled || {}))
	for (const n of list) if (generic(n) && !versioned(n)) ours.set(n.unique_id, n);

const diffs = [];
const seen = new Set();
for (const want of expected) {
	seen.add(want.unique_id);
	const got = ours.get(want.unique_id);
	if (!got) {
		// the same test under another id says which part of the name differs
		const alike = [...ours.values()].find((n) => n.name === want.name ||
			(n.original_file_path && n.alias === want.alias && n.test_metadata.name === want.fqn.at(-1)));
		diffs.push(`missing: ${want.unique_id}` + (alike ? ` (ours has ${alike.unique_id})` : ""));
		continue;
	}
	for (const k of KEYS)
		if (JSON.stringify(got[k]) !== JSON.stringify(want[k]))
			diffs.push(`${want.unique_id}/${k}: dbt ${JSON.stringify(want[k])}, ours ${JSON.stringify(got[k])}`);
}
for (const id of ours.keys()) if (!seen.has(id)) diffs.push(`not in dbt's: ${id}`);
for (const d of diffs) console.log(d);
console.log(`${expected.length} tests, ${diffs.length} differences`);
process.exit(diffs.length ? 1 : 0);
