"""Publishers: the public bodies that publish open data, each deciding only for its own pemda (issue 15).

A publisher is a kota or kabupaten, or a provinsi publishing a consolidation of its kab/kota. The list
is one typed, versioned config, `satudata/publish/publishers.yaml` (SATUDATA_PUBLISHERS names another
file), validated when read: an error names the file, the publisher and the field. docs/publishers.md
explains each field.

Each publisher has its own outputs, under `published/<kode_pemda>/` (catalog.json, catalog.jsonld,
index.html, <dataset_id>/<version>/), its own rows of each published mart (`kode_kabupaten_kota`),
its own PPID decision in Airflow (only its `approvers` may answer), its own CKAN organisation and
its own time zone for the times it shows.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from satudata.reference import SEEDS

CONFIG = Path(__file__).with_name("publishers.yaml")
CONFIG_VERSION = 1
ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
LICENCES = {"CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "ODC-BY-1.0", "PDDL-1.0"}
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{1,99}")
FIELDS = {
    "kode_pemda",
    "nama",
    "walidata",
    "ppid",
    "approvers",
    "ckan_organisation",
    "zona_waktu",
    "lisensi",
    "konsolidasi",
}


class PublisherConfigError(ValueError):
    """The publishers config is not valid; the message names the file, the publisher and the field."""


@dataclass(frozen=True)
class Pemda:
    kode_pemda: str
    kode_bps: str
    nama_pemda: str
    jenis: str
    kode_provinsi_bps: str


@dataclass(frozen=True)
class Publisher:
    kode_pemda: str
    nama: str
    walidata: str
    ppid_nama: str
    ppid_email: str
    approvers: tuple[str, ...]
    ckan_organisation: str
    zona_waktu: str
    lisensi: str
    jenis: str
    kabupaten_kota: tuple[str, ...]  # BPS codes of the kab/kota whose rows it publishes
    konsolidasi: tuple[str, ...] = field(default=())

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(ZONES[self.zona_waktu])

    def local_time(self, moment: datetime) -> str:
        """`moment` in the publisher's zone, e.g. 2026-12-06 15:20 WIB (satudata/publish/tables.wall_clock)."""
        from satudata.publish.tables import wall_clock

        return wall_clock(moment, ZONES[self.zona_waktu])

    @property
    def pemdas(self) -> frozenset[str]:
        """The pemda whose data it publishes, and so whose notes and failures it answers for: a kota or
        kabupaten its own; a provinsi the kab/kota it consolidates (`konsolidasi`)."""
        return frozenset(self.konsolidasi or (self.kode_pemda,))

    @property
    def contact(self) -> dict[str, str]:
        return {"nama": self.ppid_nama, "email": self.ppid_email}

    @property
    def hitl_users(self) -> list[dict[str, str]]:
        """The approvers as Airflow's HITLUser (id and name: the auth manager's username)."""
        return [{"id": user, "name": user} for user in self.approvers]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kode_pemda": self.kode_pemda,
            "nama": self.nama,
            "jenis": self.jenis,
            "walidata": self.walidata,
            "kontak": self.contact,
            "ckan_organisation": self.ckan_organisation,
            "zona_waktu": self.zona_waktu,
            "lisensi": self.lisensi,
            "kabupaten_kota": list(self.kabupaten_kota),
            "konsolidasi": list(self.konsolidasi),
        }


@cache
def pemda_reference(seeds: Path = SEEDS) -> dict[str, Pemda]:
    with (seeds / "pemda.csv").open(encoding="utf-8") as f:
        return {
            r["kode_pemda"]: Pemda(r["kode_pemda"], r["kode_bps"], r["nama_pemda"], r["jenis"], r["kode_provinsi_bps"])
            for r in csv.DictReader(f)
        }


def _text(where: str, entry: dict, name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise PublisherConfigError(f"{where}, field '{name}': wajib diisi (teks) / required text, got {value!r}")
    return value.strip()


def _publisher(where: str, entry: Any, pemda: dict[str, Pemda]) -> Publisher:
    if not isinstance(entry, dict):
        raise PublisherConfigError(f"{where}: harus berupa mapping / must be a mapping, got {entry!r}")
    if unknown := sorted(set(entry) - FIELDS):
        raise PublisherConfigError(f"{where}, field '{unknown[0]}': tidak dikenal / unknown field")
    kode = entry.get("kode_pemda")
    if not isinstance(kode, str) or kode not in pemda:
        raise PublisherConfigError(
            f"{where}, field 'kode_pemda': {kode!r} bukan kode pemda Kemendagri (dbt_project/seeds/pemda.csv; "
            'tulis sebagai teks, mis. "18.72") / not a known kode_pemda'
        )
    where = f"{where} ({kode})"
    ref = pemda[kode]
    ppid = entry.get("ppid")
    if not isinstance(ppid, dict):
        raise PublisherConfigError(f"{where}, field 'ppid': wajib {{nama, email}} / required mapping")
    ppid_nama = _text(where, {"ppid.nama": ppid.get("nama")}, "ppid.nama")
    email = _text(where, {"ppid.email": ppid.get("email")}, "ppid.email")
    if not EMAIL.fullmatch(email):
        raise PublisherConfigError(f"{where}, field 'ppid.email': {email!r} bukan alamat email / not an email")
    approvers = entry.get("approvers")
    if not isinstance(approvers, list) or not approvers or not all(isinstance(a, str) and a for a in approvers):
        raise PublisherConfigError(
            f"{where}, field 'approvers': minimal satu nama pengguna Airflow / at least one Airflow username"
        )
    org = _text(where, entry, "ckan_organisation")
    if not SLUG.fullmatch(org):
        raise PublisherConfigError(
            f"{where}, field 'ckan_organisation': {org!r} harus huruf kecil, angka, - atau _ (nama CKAN) / "
            "must be a CKAN name (lowercase, digits, - and _)"
        )
    zone = _text(where, entry, "zona_waktu")
    if zone not in ZONES:
        raise PublisherConfigError(f"{where}, field 'zona_waktu': {zone!r} bukan WIB, WITA atau WIT")
    licence = _text(where, entry, "lisensi")
    if licence not in LICENCES:
        raise PublisherConfigError(
            f"{where}, field 'lisensi': {licence!r} bukan lisensi terbuka yang dikenal ({', '.join(sorted(LICENCES))})"
        )
    members = entry.get("konsolidasi") or []
    if ref.jenis == "provinsi":
        if not isinstance(members, list) or not members:
            raise PublisherConfigError(
                f"{where}, field 'konsolidasi': provinsi menerbitkan konsolidasi kab/kotanya: sebutkan kode_pemda "
                "kab/kota / a provinsi publishes a consolidation of the kab/kota listed here"
            )
        for m in members:
            if m not in pemda or pemda[m].jenis == "provinsi" or pemda[m].kode_provinsi_bps != ref.kode_provinsi_bps:
                raise PublisherConfigError(
                    f"{where}, field 'konsolidasi': {m!r} bukan kab/kota di provinsi ini / not a kab/kota of it"
                )
        kabkota = tuple(pemda[m].kode_bps for m in members)
    else:
        if members:
            raise PublisherConfigError(f"{where}, field 'konsolidasi': hanya untuk provinsi / only for a provinsi")
        kabkota = (ref.kode_bps,)
    return Publisher(
        kode_pemda=kode,
        nama=_text(where, entry, "nama"),
        walidata=_text(where, entry, "walidata"),
        ppid_nama=ppid_nama,
        ppid_email=email,
        approvers=tuple(approvers),
        ckan_organisation=org,
        zona_waktu=zone,
        lisensi=licence,
        jenis=ref.jenis,
        kabupaten_kota=kabkota,
        konsolidasi=tuple(members),
    )


def parse(text: str, source: str = "publishers.yaml") -> tuple[Publisher, ...]:
    """The publishers of one config text; PublisherConfigError names `source`, the publisher and the field."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise PublisherConfigError(f"{source}: bukan YAML yang sah / not valid YAML: {e}") from e
    if not isinstance(doc, dict) or doc.get("version") != CONFIG_VERSION:
        raise PublisherConfigError(f"{source}, field 'version': harus {CONFIG_VERSION} / must be {CONFIG_VERSION}")
    entries = doc.get("publishers")
    if not isinstance(entries, list) or not entries:
        raise PublisherConfigError(f"{source}, field 'publishers': minimal satu penerbit / at least one publisher")
    pemda = pemda_reference()
    publishers = [_publisher(f"{source}: publishers[{i}]", e, pemda) for i, e in enumerate(entries)]
    seen: dict[str, str] = {}
    for p in publishers:
        if p.kode_pemda in seen:
            raise PublisherConfigError(f"{source}: publisher {p.kode_pemda}, field 'kode_pemda': disebut dua kali")
        seen[p.kode_pemda] = p.nama
    return tuple(sorted(publishers, key=lambda p: p.kode_pemda))


def load(path: Path | None = None) -> tuple[Publisher, ...]:
    """The publishers of `path` (default: satudata/publish/publishers.yaml)."""
    path = path or CONFIG
    if not path.exists():
        raise PublisherConfigError(f"{path}: berkas penerbit tidak ada / the publishers file does not exist")
    return parse(path.read_text(encoding="utf-8"), str(path))


def by_code(publishers: tuple[Publisher, ...]) -> dict[str, Publisher]:
    return {p.kode_pemda: p for p in publishers}
