"""A Decidim instance for the connector's tests: a real HTTP server answering GraphQL at
POST /api, executed by graphql-core (the reference implementation's Python port) over the
schema subset of Decidim 0.28 (schema-subset.graphql, see SOURCE.md) and the synthetic example
data of this folder. Nothing of AGIO runs in it.

    python server.py CONTROL_FILE

prints "PORT <n>" once listening on 127.0.0.1. The control file (JSON, read at every request,
so that a test changes the instance between two imports) may set:

    version        "0.28" (default); "0.26": steps' dates are plain dates; "0.31": the schema
                   has no Meeting.isWithdrawn and no endorsementsCount (renamed to likes)
    max_per_page   the page size cap (Decidim's is 50), to make the connector page
    fail           "http500" (every request), "html" (a web page, not JSON), or null
    proposals      proposals added to component 57, or replacing those with the same id
    removed        ids of proposals the instance no longer shows (deleted, hidden)
"""

import base64
import copy
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from graphql import build_schema, graphql_sync

HERE = os.path.dirname(os.path.abspath(__file__))
CONTROL = sys.argv[1]


def example(name):
    with open(os.path.join(HERE, f"example-response-{name}.synthetic.json"), encoding="utf-8") as f:
        return json.load(f)["data"]


def nodes(component, connection):
    return [edge["node"] for edge in component[connection]["edges"]]


def schema_for(version):
    with open(os.path.join(HERE, "schema-subset.graphql"), encoding="utf-8") as f:
        sdl = f.read()
    if version == "0.31":
        # Decidim 0.31 dropped isWithdrawn (PR #14644) and renamed endorsements to likes.
        kept = []
        for line in sdl.splitlines():
            stripped = line.strip()
            if stripped.startswith("isWithdrawn:") or stripped.startswith("endorsementsCount:"):
                # Its one-line description goes with it.
                if kept and kept[-1].strip().startswith('"'):
                    kept.pop()
                continue
            kept.append(line)
        sdl = "\n".join(kept)
    return build_schema(sdl)


def cursor(offset):
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def offset_of(after):
    if not after:
        return 0
    return int(base64.b64decode(after + "=" * (-len(after) % 4)).decode())


def connection(items, first, after, cap):
    """A Relay connection over items, with graphql-ruby's offset cursors and page cap."""
    start = offset_of(after)
    size = min(first if first is not None else cap, cap)
    page = items[start:start + size]
    return {
        "pageInfo": {
            "hasNextPage": start + size < len(items),
            "hasPreviousPage": start > 0,
            "startCursor": cursor(start + 1) if page else None,
            "endCursor": cursor(start + len(page)) if page else None,
        },
        "edges": [{"cursor": cursor(start + i + 1), "node": n} for i, n in enumerate(page)],
        "nodes": page,
    }


def dataset(control):
    processes = copy.deepcopy(example("processes")["participatoryProcesses"])
    proposals = nodes(example("proposals")["component"], "proposals")
    with open(os.path.join(HERE, "more-proposals.synthetic.json"), encoding="utf-8") as f:
        proposals += json.load(f)
    for extra in control.get("proposals", []):
        proposals = [p for p in proposals if p["id"] != extra["id"]] + [extra]
    proposals = [p for p in proposals if p["id"] not in control.get("removed", [])]
    proposals.sort(key=lambda p: int(p["id"]))
    meetings = nodes(example("meetings")["component"], "meetings")
    results = nodes(example("results")["component"], "results")
    if control.get("version") == "0.26":
        for process in processes:
            for step in process["steps"]:
                for key in ("startDate", "endDate"):
                    if step.get(key):
                        step[key] = step[key][:10]
    space = {"id": "12", "type": "Decidim::ParticipatoryProcess"}
    components = {
        "57": {"__typename": "Proposals", "id": "57", "participatorySpace": space, "items": proposals},
        "58": {"__typename": "Meetings", "id": "58", "participatorySpace": space, "items": meetings},
        "60": {"__typename": "Accountability", "id": "60", "participatorySpace": space, "items": results},
        "41": {"__typename": "Proposals", "id": "41", "participatorySpace": {"id": "9"}, "items": []},
        "42": {"__typename": "Meetings", "id": "42", "participatorySpace": {"id": "9"}, "items": []},
    }
    return processes, components


def execute(body, control):
    schema = schema_for(control.get("version", "0.28"))
    processes, components = dataset(control)
    cap = int(control.get("max_per_page", 50))

    def paged(component, _info, first=None, after=None, **_):
        return connection(component["items"], first, after, cap)

    for type_name, field in (("Proposals", "proposals"), ("Meetings", "meetings"), ("Accountability", "results")):
        schema.type_map[type_name].fields[field].resolve = paged

    root = {
        "participatoryProcesses": lambda _info, **_: processes,
        "component": lambda _info, id: components.get(id),
    }
    result = graphql_sync(
        schema,
        body.get("query", ""),
        root_value=root,
        variable_values=body.get("variables") or {},
        operation_name=body.get("operationName"),
    )
    answer = {"data": result.data}
    if result.errors:
        answer["errors"] = [e.formatted for e in result.errors]
    return answer


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, content_type, text):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        with open(CONTROL, encoding="utf-8") as f:
            control = json.load(f)
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path != "/api":
            return self.reply(404, "text/html", "<h1>Not found</h1>")
        if control.get("fail") == "http500":
            return self.reply(500, "text/html", "<h1>We're sorry, but something went wrong.</h1>")
        if control.get("fail") == "html":
            return self.reply(200, "text/html", "<!DOCTYPE html><html><body>Manutenzione</body></html>")
        self.reply(200, "application/json", json.dumps(execute(body, control)))


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
