"""`published/catalog.jsonld`: the catalogue of every published dataset as DCAT (JSON-LD, DCAT-AP style).

One dcat:Catalog whose dcat:dataset lists each dataset's current version as a dcat:Dataset with
dct:title / description / publisher / creator / license / issued / modified / spatial / temporal /
accrualPeriodicity, a contact point, and three dcat:Distribution (the CSV, the Frictionless data
package, the Satu Data metadata). IRIs are relative to the catalogue file, so the `published/`
folder can be served from any address (JSON-LD resolves them against the document's URL).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from satudata.config import Settings

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "spdx": "http://spdx.org/rdf/terms#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = {
    "harian": "DAILY",
    "mingguan": "WEEKLY",
    "bulanan": "MONTHLY",
    "triwulanan": "QUARTERLY",
    "semesteran": "ANNUAL_2",
    "tahunan": "ANNUAL",
}
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def _text(value: str) -> dict:
    return {"@value": value, "@language": "id"}


def _typed(value: Any, kind: str) -> dict:
    return {"@value": str(value), "@type": f"xsd:{kind}"}


def _agent(name: str) -> dict:
    return {"@type": "foaf:Agent", "foaf:name": name}


def _distribution(path: str, title: str, media: str, fmt: str, extra: dict | None = None) -> dict:
    return {
        "@id": path,
        "@type": "dcat:Distribution",
        "dct:title": _text(title),
        "dcat:downloadURL": {"@id": path},
        "dcat:accessURL": {"@id": path},
        "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{media}"},
        "dct:format": {"@id": f"{EU}file-type/{fmt}"},
        "dct:license": {"@id": CC_BY},
        **(extra or {}),
    }


def _names(value: str | list | None) -> list[str]:
    """produsen_data: a list of OPD names (a version published before it was a list: one name)."""
    return [n for n in ([value] if isinstance(value, str) else value or []) if n]


def dataset_node(published: Path, entry: dict) -> dict:
    dataset_id, version = entry["dataset_id"], entry["version"]
    folder = published / dataset_id / version
    md = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    history_path = published / dataset_id / "versions.json"
    history = json.loads(history_path.read_text(encoding="utf-8")) if history_path.exists() else {"versions": []}
    first = min((v["released_at"] for v in history["versions"]), default=entry["released_at"])
    base = f"{dataset_id}/{version}/"
    csv_bytes = (folder / "data.csv").stat().st_size
    node: dict[str, Any] = {
        "@id": f"{dataset_id}",
        "@type": "dcat:Dataset",
        "dct:identifier": dataset_id,
        "dct:title": _text(md["judul"]),
        "dct:description": _text(md["deskripsi"]),
        "dct:publisher": _agent(md["walidata"]),
        "dct:creator": [_agent(n) for n in _names(md.get("produsen_data"))],
        "dct:license": {"@id": CC_BY},
        "dct:issued": _typed(first, "dateTime"),
        "dct:modified": _typed(entry["released_at"], "dateTime"),
        "dct:spatial": [
            {"@type": "dct:Location", "dct:identifier": kode, "skos:prefLabel": _text(nama)}
            for kode, nama in zip(md.get("kode_wilayah", []), md.get("cakupan", []), strict=False)
        ],
        "dcat:keyword": [_text(k) for k in (md.get("tag") or [md.get("frekuensi"), md.get("satuan")]) if k],
        "dcat:contactPoint": {
            "@type": "vcard:Organization",
            "vcard:fn": (md.get("kontak_ppid") or {}).get("nama") or md["walidata"],
            "vcard:hasEmail": {"@id": f"mailto:{md['kontak']}"},
        },
        "dcat:landingPage": {"@id": f"index.html#{dataset_id}"},
        "dcat:version": version,
        "owl:versionInfo": version,
        "dcat:distribution": [
            _distribution(
                base + "data.csv",
                "Data (CSV, UTF-8)",
                "text/csv",
                "CSV",
                {
                    "dcat:byteSize": _typed(csv_bytes, "nonNegativeInteger"),
                    "dct:conformsTo": {"@id": base + "datapackage.json"},
                    "spdx:checksum": {
                        "@type": "spdx:Checksum",
                        "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                        "spdx:checksumValue": entry["content_hash"],
                    },
                },
            ),
            _distribution(
                base + "datapackage.json",
                "Frictionless Data Package (Table Schema)",
                "application/json",
                "JSON",
                {"dct:conformsTo": {"@id": "https://specs.frictionlessdata.io/data-package/"}},
            ),
            _distribution(base + "metadata.json", "Metadata Satu Data Indonesia", "application/json", "JSON"),
        ],
    }
    if md.get("topik"):
        node["dcat:theme"] = {"@type": "skos:Concept", "skos:prefLabel": _text(md["topik"])}
    if freq := FREQUENCY.get(str(md.get("frekuensi", "")).lower()):
        node["dct:accrualPeriodicity"] = {"@id": f"{EU}frequency/{freq}"}
    if md.get("periode_awal"):
        node["dct:temporal"] = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _typed(md["periode_awal"], "date"),
            "dcat:endDate": _typed(md["periode_akhir"], "date"),
        }
    return node


def build_catalog(settings: Settings, catalog: dict) -> dict:
    return {
        "@context": CONTEXT,
        "@id": "catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _text("Katalog Satu Data"),
        "dct:description": _text(
            "Data terbuka pemerintah daerah: agregat yang lolos validasi dan pemeriksaan "
            "data pribadi, diterbitkan oleh walidata sesuai Perpres 39/2019 Satu Data Indonesia."
        ),
        "dct:publisher": _agent("Dinas Komunikasi dan Informatika (Diskominfo)"),
        "dct:license": {"@id": CC_BY},
        "dct:language": {"@id": f"{EU}language/IND"},
        "dct:modified": _typed(catalog.get("updated_at", ""), "dateTime"),
        "foaf:homepage": {"@id": "index.html"},
        "dcat:dataset": [dataset_node(settings.published, e) for e in catalog["datasets"].values()],
    }


def write_catalog(settings: Settings, catalog: dict) -> Path:
    path = settings.published / "catalog.jsonld"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(build_catalog(settings, catalog), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
