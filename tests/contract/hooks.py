"""Schemathesis hooks for the API's writes with a token (loaded through SCHEMATHESIS_HOOKS).

A schema-valid request must be accepted; but what a body or a path names by key (an agenda, an
action, an organisation, a comune) exists or not in the data, which no schema can say. So each
case that Schemathesis generates as valid gets, in place of its random keys, keys of the demo's
records, read from the API when the hooks load: the case then reaches the rules the document
does declare. Cases generated to break the schema are left as they are, and so are the Decidim
operations (whose source names an instance to call); a deletion of a record handed out here
names nothing instead (it would take the record from the operations after it).

`tests/contract/schemathesis.test.mjs` loads it for the writes with a token. By hand, against a
server started with `agio serve --demo` and a regional coordinator's write token:

    AGIO_URL=http://127.0.0.1:8080 SCHEMATHESIS_HOOKS=tests/contract/hooks.py \\
      target/test-python/bin/schemathesis run http://127.0.0.1:8080/api/v1/openapi.json \\
      --url http://127.0.0.1:8080 --checks all --max-examples 30 --workers 1 --seed 20261206 \\
      --continue-on-failure --exclude-method GET --suppress-health-check=too_slow --phases coverage,fuzzing \\
      --exclude-path '/api/v1/agendas/{slug}/decidim/import' -H "Authorization: Bearer $TOKEN"
"""

import json
import os
import re
import urllib.request

import schemathesis
from schemathesis.core.parameters import ParameterLocation

BASE = os.environ["AGIO_URL"].rstrip("/") + "/api/v1"
# The Bassa Reggiana's agenda is under way: objectives, actions with partners, results,
# indicators with values, budget lines, and a finished Community Lab with meetings and pacts.
AGENDA = "agenda-digitale-sociale-bassa-reggiana-2025-2027"


def read(path):
    with urllib.request.urlopen(BASE + path) as response:
        return json.load(response)


action = read(f"/agendas/{AGENDA}/actions/A01")
indicator = action["results"][0]["indicators"][0]
period = read(f"/agendas/{AGENDA}/indicators/{indicator['id']}/measurements")[0]["period"]
profile = read("/profiles/re-guastalla")
framework = read("/frameworks")[0]
organization = action["partners"][1]["organization"]["slug"]
sheet = profile["zone_plan"]["sheets"][0]

# Path parameters, by the paths they are in (every prefix that matches) and their name.
PATHS = [
    ("/api/v1/agendas/{slug}/actions/{code}/assets/", {"item": action["assets"][0]["slug"]}),
    ("/api/v1/agendas/{slug}/actions/{code}/budget-lines/", {"item": action["budget"][0]["id"]}),
    ("/api/v1/agendas/{slug}/actions/{code}/indicators/", {"id": indicator["id"]}),
    ("/api/v1/agendas/{slug}/actions/{code}/partners/", {"item": organization}),
    ("/api/v1/agendas/{slug}/actions/{code}/results/", {"item": action["results"][0]["id"]}),
    ("/api/v1/agendas/{slug}/actions/", {"code": "A01"}),
    ("/api/v1/agendas/{slug}/indicators/", {"id": indicator["id"], "period": period}),
    ("/api/v1/agendas/{slug}/objectives/", {"code": action["objective_code"]}),
    ("/api/v1/agendas/{slug}/process/", {"number": 1}),
    ("/api/v1/agendas/", {"slug": AGENDA}),
    ("/api/v1/assets/", {"slug": action["assets"][0]["slug"]}),
    ("/api/v1/frameworks/{id}/items/", {"item": framework["items"][0]["id"]}),
    ("/api/v1/frameworks/", {"id": framework["id"]}),
    ("/api/v1/organizations/", {"slug": organization}),
    ("/api/v1/profiles/{slug}/databases/", {"id": profile["databases"][0]["id"]}),
    ("/api/v1/profiles/", {"slug": "re-guastalla"}),
]

# Body fields that name records, with a value that names one of the demo's.
BODY = {
    "territory": "re-guastalla",
    "district": "re-guastalla",
    "coverage": ["035005"],
    "members": ["035005"],
    "organization": organization,
    "lead": organization,
    "asset": action["assets"][0]["slug"],
    "objective": action["objective_code"],
    "action_code": "A01",
    "merged_into": 2,
    "result": action["results"][0]["id"],
    "channels": ["web"],
    "platforms": ["spid"],
    # Another item than the one a PATCH changes, which cannot be its own parent.
    "parent_code": framework["items"][1]["code"],
    "zone_plan_ref": f"Scheda {sheet['number']} – {sheet['title']}",
    "targets": ["sdg:10.2"],
    "gaps": [profile["gaps"][0]["key"]],
    "needs": profile["services"][0]["needs"],
    "target_groups": profile["services"][0]["target_groups"],
    "life_stages": profile["services"][0]["life_stages"],
    "ideas": ["1"],
    "admitted": ["1"],
}
# A value of an indicator is a number, or for a percentage a numerator and a denominator: the
# indicator's unit says which, and no schema can.
PERCENTAGE = indicator["unit"].strip().lower().startswith(("%", "percentuale"))
# Fields given together whose end may not come before their start.
SPANS = [
    ("start_date", "end_date"),
    ("starts_on", "ends_on"),
    ("starts", "ends"),
    ("period_start", "period_end"),
    ("baseline_year", "target_year"),
]
# A Piano di Zona as its CSV template gives it (the file's layout is the template's, not a
# schema's), keeping the sheet that the actions above name.
ZONE_PLAN = f"numero;titolo;area;destinatari;budget;stato\n{sheet['number']};{sheet['title']};;;120.000,00;in corso\n"

# What a deletion names in their place: nothing.
NOTHING = "zz-nothing-here"


def is_key(value):
    return isinstance(value, (str, int, float, list)) and not isinstance(value, bool) and value not in ("", [])


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def minutes(value):
    """A time of day as the readers take it (`9.30`, `09:30`), in minutes; None if it is not one."""
    match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{1,2})\s*", value) if isinstance(value, str) else None
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def out_of_order(start, end):
    """Whether two values given for a span end before they start (numbers, times, or texts)."""
    if is_number(start) and is_number(end):
        return end < start
    if minutes(start) is not None and minutes(end) is not None:
        return minutes(end) < minutes(start)
    if isinstance(start, str) and isinstance(end, str) and start.strip() and end.strip():
        return end.strip() < start.strip()
    return False


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if case.method.upper() == "DELETE":
        # A deletion of a record handed out above (a link may carry its key here) would take it
        # from the operations after it.
        deleted = case.path.rstrip("}").rsplit("{", 1)[-1]
        handed_out = {str(values[deleted]) for prefix, values in PATHS if case.path.startswith(prefix) and deleted in values}
        if str((case.path_parameters or {}).get(deleted)) in handed_out:
            case.path_parameters[deleted] = NOTHING
        return case
    if "/decidim" in case.path:
        return case
    if case.path_parameters and not (meta and meta.is_negative_at(ParameterLocation.PATH)):
        for names in (values for prefix, values in PATHS if case.path.startswith(prefix)):
            for name, value in names.items():
                if name in case.path_parameters:
                    case.path_parameters[name] = value
    body = case.body
    if case.path.endswith("/zone-plan") and not (meta and meta.is_negative_at(ParameterLocation.BODY)):
        case.body = ZONE_PLAN
    query = case.query or {}
    if case.path.endswith("/zone-plan") and not (meta and meta.is_negative_at(ParameterLocation.QUERY)):
        years = sorted(str(query.get(field, "")).strip() for field in ("period_start", "period_end"))
        if all(years):
            query["period_start"], query["period_end"] = years
    if isinstance(body, dict) and not (meta and meta.is_negative_at(ParameterLocation.BODY)):
        for field, value in BODY.items():
            if field in body and is_key(body[field]):
                body[field] = value if isinstance(body[field], list) or not isinstance(value, list) else value[0]
        if case.path.endswith("/measurements/{period}"):
            for field in ("value",) if PERCENTAGE else ("numerator", "denominator"):
                body.pop(field, None)
            for field in ("numerator", "denominator") if PERCENTAGE else ("value",):
                if body.get(field) is None or not str(body[field]).strip():
                    body[field] = 1
        # A value sent back needs the coordinator's comment: a rule between the path and the body.
        if (case.path_parameters or {}).get("step") == "return" and not str(body.get("comment") or "").strip():
            body["comment"] = "Da rivedere"
        for start, end in SPANS:
            if out_of_order(body.get(start), body.get(end)):
                body[start], body[end] = body[end], body[start]
    return case
