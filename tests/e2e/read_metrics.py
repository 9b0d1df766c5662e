#!/usr/bin/python3
"""Reads a /metrics page on stdin with prometheus_client's own parser (an
independent reader of the Prometheus text format) and prints its samples
as JSON: [{"name": ..., "labels": {...}, "value": ...}, ...], plus each
family's type. Exits 1 with the parser's message if the page is not valid."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    samples, types = [], {}
    for family in text_string_to_metric_families(sys.stdin.read()):
        types[family.name] = family.type
        for s in family.samples:
            samples.append({"name": s.name, "labels": s.labels, "value": s.value})
except Exception as error:  # the parser raises ValueError and friends
    print(f"not a valid Prometheus page: {error}", file=sys.stderr)
    sys.exit(1)
print(json.dumps({"samples": samples, "types": types}))
