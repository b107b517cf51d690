"""Validates a DCAT-AP_IT catalogue with pySHACL, offline: the EU DCAT-AP 2.1.1 shapes, the
EU controlled-vocabulary shapes (with the vocabularies as data) and AGIO's Italian shapes.

    python validate.py CATALOGUE [turtle|json-ld|xml]

Prints each report; exits 1 when any does not conform. The vocabulary shapes' warnings count
as failures too (a theme outside the EU list is only a warning there), except the one every
Italian administration gets: a publisher that is not in the EU corporate-body list."""

import sys
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, Namespace, RDF, URIRef

HERE = Path(__file__).parent
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCT = Namespace("http://purl.org/dc/terms/")
EU = "http://publications.europa.eu/resource/authority/"
# The filtered vocabularies of file types, frequencies and languages lost skos:inScheme.
SCHEMES = {
    "filetypes-filtered.rdf": EU + "file-type",
    "frequencies-filtered.rdf": EU + "frequency",
    "languages-filtered.rdf": EU + "language",
}


def vocabularies() -> Graph:
    graph = Graph()
    for path in sorted((HERE / "vocabularies").glob("*.rdf")):
        part = Graph().parse(path, format="xml")
        scheme = SCHEMES.get(path.name)
        if scheme:
            for concept in part.subjects(RDF.type, SKOS.Concept):
                part.add((concept, SKOS.inScheme, URIRef(scheme)))
        graph += part
    return graph


def main() -> int:
    catalogue, syntax = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "turtle")
    data = Graph().parse(catalogue, format=syntax)
    runs = [
        ("DCAT-AP 2.1.1", "dcat-ap_2.1.1_shacl_shapes.ttl", data),
        ("DCAT-AP 2.1.1 vocabularies", "dcat-ap_2.1.1_shacl_mdr-vocabularies.shape.ttl", data + vocabularies()),
        ("AGIO DCAT-AP_IT", "agio-dcatapit.shapes.ttl", data),
    ]
    failed = False
    for name, shapes, graph in runs:
        shapes_graph = Graph().parse(HERE / "shapes" / shapes, format="turtle")
        _, results, text = validate(graph, shacl_graph=shapes_graph, inference="none")
        problems = [r for r in results.objects(None, SH.result) if not expected(results, r)]
        print(f"== {name}: {'conforms' if not problems else 'DOES NOT CONFORM'}")
        if problems:
            print(text)
            failed = True
    return 1 if failed else 0


def expected(results: Graph, result) -> bool:
    """The EU corporate-body warning on an Italian publisher."""
    return (result, SH.resultSeverity, SH.Warning) in results and (result, SH.resultPath, DCT.publisher) in results


if __name__ == "__main__":
    sys.exit(main())
