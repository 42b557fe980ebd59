#!/usr/bin/env python3
"""
Validates an artifact against dbt's own JSON schema with a JSON-schema validator (Debian's
python3-jsonschema): one line a violation (`PATH: message`), exit code 1 when there is one.

    validate_schema.py SCHEMA.json ARTIFACT.json
"""
import json
import sys

import jsonschema

with open(sys.argv[1]) as f:
    schema = json.load(f)
with open(sys.argv[2]) as f:
    doc = json.load(f)
validator = jsonschema.validators.validator_for(schema)(schema)
errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
for e in errors[:50]:
    print("%s: %s" % ("/".join(map(str, e.absolute_path)) or ".", e.message[:300]))
if errors:
    print("%d violations" % len(errors))
sys.exit(1 if errors else 0)
