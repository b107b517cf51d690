"""Reads an OpenMetrics exposition (AGIO's /metrics) from the file named by the first argument
with the Prometheus project's own strict parser, and prints each sample as
`name{label="value",...} value`, one a line, sorted. Exits 1 with the parser's error when the
text does not conform."""
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

try:
    with open(sys.argv[1], encoding="utf-8") as f:
        families = list(text_string_to_metric_families(f.read()))
except Exception as e:  # the parser raises ValueError and others on a malformed exposition
    print(f"not OpenMetrics: {e}", file=sys.stderr)
    sys.exit(1)
lines = []
for family in families:
    for s in family.samples:
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        lines.append(f"{s.name}{{{labels}}} {s.value:g} {family.type}")
print("\n".join(sorted(lines)))
