"""Code lists of the OPD Data Standard and the normalisations the row rules need before dbt runs.

Every code list (and the spellings real systems give: jenis kelamin, status kepegawaian and the
kind of a non-ASN, jenis jabatan, pendidikan, golongan, BKN kedudukan hukum, jenis penghasilan,
versi, jenis SP2D; and the lists without synonyms: eselon, predikat, tagging, status permohonan,
kanal, bidang SPM) is declared once, in the dbt seed `kode_sinonim`
(dbt_project/seeds/kode_sinonim.csv: daftar, nilai_sumber, kode).
Python reads it here; dbt staging reads the same seed (macros/normalise.sql, `kunci_kode`). A
value is looked up by its key: upper case with everything but A-Z and 0-9 removed, so `S-1/Sarjana`,
`s1 sarjana` and `S 1 / SARJANA` are one value. tests/unit/test_codes.py checks that both agree.
Pure functions, text in, canonical code (or None) out; cached where a column has few values.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from satudata.reference import SEEDS

SINONIM_SEED = "kode_sinonim.csv"
_NOT_KEY = re.compile(r"[^0-9A-Z]")


def kunci(value: str) -> str:
    """The lookup key of a value (dbt macro kunci_kode): `Laki-laki` -> LAKILAKI, `III/a` -> IIIA."""
    return _NOT_KEY.sub("", value.upper())


@cache
def sinonim(seeds: Path = SEEDS) -> dict[str, dict[str, str]]:
    """daftar -> key of a source value -> canonical code, from the seed kode_sinonim."""
    lists: dict[str, dict[str, str]] = {}
    with (seeds / SINONIM_SEED).open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lists.setdefault(row["daftar"], {})[kunci(row["nilai_sumber"])] = row["kode"]
    return lists


@cache
def daftar_kode(daftar: str, seeds: Path = SEEDS) -> tuple[str, ...]:
    """The canonical codes of a list, in the seed's order."""
    with (seeds / SINONIM_SEED).open(encoding="utf-8") as f:
        return tuple(dict.fromkeys(row["kode"] for row in csv.DictReader(f) if row["daftar"] == daftar))


@lru_cache(maxsize=8192)
def kode(daftar: str, value: str | None) -> str | None:
    """The canonical code of a source value in a list of kode_sinonim, or None when it is not there."""
    if value is None:
        return None
    return sinonim()[daftar].get(kunci(str(value)))


# section 3 of the standard
JENIS_KELAMIN = daftar_kode("jenis_kelamin")
STATUS_KEPEGAWAIAN = daftar_kode("status_kepegawaian")
JENIS_NON_ASN = daftar_kode("jenis_non_asn")
PNS_LIKE = frozenset({"PNS", "CPNS"})
PPPK_LIKE = frozenset({"PPPK", "PPPK_PARUH_WAKTU"})
JENIS_JABATAN = daftar_kode("jenis_jabatan")
ESELON = daftar_kode("eselon")  # normalised by a pattern (clean_eselon), not by spellings
PENDIDIKAN = daftar_kode("pendidikan")
# PNS I/a-I/d, II/a-II/d, III/a-III/d, IV/a-IV/e (PP 99/2000); PPPK I-XVII (Perpres 98/2020)
GOLONGAN_PNS = tuple(g for g in daftar_kode("golongan") if "/" in g)
GOLONGAN_PPPK = tuple(g for g in daftar_kode("golongan") if "/" not in g)
KEDUDUKAN_HUKUM = daftar_kode("kedudukan_hukum")
# THR and gaji ke-13 are paid once a year from the same rekening as GAJI (5.1.01.01; PP 14/2024 for 2024)
JENIS_PENGHASILAN = daftar_kode("jenis_penghasilan")
# the pay runs reconciled with realisasi on rekening 5.1.01.01 (REC-004)
JENIS_PENGHASILAN_GAJI = ("GAJI", "THR", "GAJI_13")
PREDIKAT = daftar_kode("predikat")
# tahapan APBD (Permendagri 77/2020 Bab IV; SIPD "tahapan"): MURNI (penetapan / DPA), PERGESERAN_n
# (pergeseran ke-n, Perkada penjabaran), PERUBAHAN (APBD-P / DPPA); the labels are in the seed
VERSI = daftar_kode("versi")
# jenis SP2D (Permendagri 77/2020 Bab VI): LS and GU (and the closing GU/TU NIHIL) are realisasi;
# UP and TU are advances to the bendahara (uang muka); PENGEMBALIAN is a refund of belanja (contra
# pos, booked as a positive nilai that is subtracted in its month)
JENIS_SP2D = daftar_kode("jenis_sp2d")
JENIS_SP2D_REALISASI = ("LS", "GU", "GU_NIHIL", "TU_NIHIL")
JENIS_SP2D_UANG_MUKA = ("UP", "TU")
TAGGING = daftar_kode("tagging")
STATUS_PERMOHONAN = daftar_kode("status_permohonan")
KANAL = daftar_kode("kanal")
BIDANG_SPM = daftar_kode("bidang_spm")

_SEP = re.compile(r"[\s-]+")
_STRIP = re.compile(r"[\s./-]")


@lru_cache(maxsize=4096)
def clean_code(value: str | None) -> str | None:
    """`Sangat Baik` -> SANGAT_BAIK (dbt macro clean_code)."""
    if value is None:
        return None
    return _SEP.sub("_", value.strip().upper()) or None


def clean_jenis_penghasilan(value: str | None) -> str | None:
    """`Gaji ke-13` -> GAJI_13, `Tunjangan Hari Raya` -> THR (seed kode_sinonim), else clean_code."""
    return kode("jenis_penghasilan", value) or clean_code(value)


@lru_cache(maxsize=256)
def clean_versi(value: str | None) -> str | None:
    """`Penetapan`, `APBD murni` -> MURNI; `Pergeseran 1`, `Pergeseran ke-2` -> PERGESERAN_1, _2;
    `DPPA`, `APBD-P`, `Perubahan` -> PERUBAHAN (seed kode_sinonim, list versi); else the cleaned code
    (not in VERSI: FMT-003). Mirrors the dbt macro clean_versi."""
    return kode("versi", value) or clean_code(value)


_SP2D_NUMBER_RE = re.compile(r"/(LS|GU|UP|TU)/")


@lru_cache(maxsize=256)
def clean_jenis_sp2d(value: str | None, nomor_sp2d: str | None = None) -> str | None:
    """The jenis of an SP2D line from the column (`ls`, `GU Nihil`, `Pengembalian Belanja`, `CP`: seed
    kode_sinonim, list jenis_sp2d), or, when it is empty, from the number (`.../LS/...`, `/GU/`, `/UP/`,
    `/TU/`, `/CP/`); mirrors the dbt macro clean_jenis_sp2d. An unknown label comes back cleaned (not
    in JENIS_SP2D: FMT-003)."""
    code = clean_code(value)
    if code is not None:
        return kode("jenis_sp2d", value) or code
    nomor = (nomor_sp2d or "").upper()
    if "/CP/" in nomor:
        return "PENGEMBALIAN"
    m = _SP2D_NUMBER_RE.search(nomor)
    return m.group(1) if m else None


def clean_jenis_kelamin(value: str | None) -> str | None:
    """`L`, `Laki-laki`, `Pria`, `M`, `1` -> L; `P`, `Wanita`, `F`, `2` -> P (seed kode_sinonim)."""
    return kode("jenis_kelamin", value)


def clean_status_kepegawaian(value: str | None) -> str | None:
    """`P` / `PNS` -> PNS, `C` -> CPNS, `P3K` / `PPPK Aktif` -> PPPK, `THL` / `Honorer` -> NON_ASN ..."""
    return kode("status_kepegawaian", value)


def clean_jenis_non_asn(value: str | None) -> str | None:
    """The kind of a non-ASN: `Tenaga Harian Lepas` -> THL, `Tenaga Kontrak` -> KONTRAK ..."""
    return kode("jenis_non_asn", value)


def clean_jenis_jabatan(value: str | None) -> str | None:
    """`Jabatan Fungsional Tertentu` -> FUNGSIONAL, `Jabatan Fungsional Umum` -> PELAKSANA ..."""
    return kode("jenis_jabatan", value)


def clean_kedudukan_hukum(value: str | None) -> str | None:
    """BKN kedudukan hukum (id or name) -> AKTIF (still serving) or BERHENTI (left the service)."""
    return kode("kedudukan_hukum", value)


_ESELON_RE = re.compile(r"^(I|II|III|IV|V)([AB])$")


@lru_cache(maxsize=256)
def clean_eselon(value: str | None) -> str | None:
    """`IIa`, `II A`, `ii.a`, `II/a` -> `II.a`; anything else (blank, `-`, `NON`) -> None."""
    if value is None:
        return None
    m = _ESELON_RE.match(_STRIP.sub("", value.upper()))
    return f"{m.group(1)}.{m.group(2).lower()}" if m else None


def clean_golongan(value: str | None) -> str | None:
    """PNS `III/a` (also IIIa, III-a, 3/a, 3A, `Penata Muda (III/a)`); PPPK roman I..XVII; else None."""
    return kode("golongan", value)


def clean_pendidikan(value: str | None) -> str | None:
    """BKN tingkat pendidikan and common spellings -> SD, SMP, SMA, D1-D4, S1-S3 (`S-1/Sarjana` -> S1)."""
    return kode("pendidikan", value)


# ---- account chart (Permendagri 90/2019, Kepmendagri 050-5889/2021) --------------------------

# akun . kelompok . jenis(2) . objek(2) . rincian objek(2) . sub rincian(4)
REKENING_SEGMENT_WIDTHS = (1, 1, 2, 2, 2, 4)
_REKENING_RE = re.compile(r"^\d(\.\d(\.\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?)?)?$")
# Permendagri 13/2006: akun . kelompok . jenis(1) . objek(2) . rincian(2), e.g. 5.1.1.01.01
# (5.1 Belanja Tidak Langsung, 5.2 Belanja Langsung) or 4.1.1.01.01
_REKENING_13_2006_RE = re.compile(r"^[4-6]\.\d\.\d(\.\d{2}){0,2}$")
_SUB_KEGIATAN_RE = re.compile(r"^[0-9X]\.[0-9X]{2}\.\d{2}\.2\.\d{2}\.\d{4}$")


def rekening_well_formed(code: str) -> bool:
    return bool(_REKENING_RE.match(code))


def rekening_is_13_2006(code: str) -> bool:
    return bool(_REKENING_13_2006_RE.match(code))


def sub_kegiatan_well_formed(code: str) -> bool:
    """`U.BB.PP.2.KK.SSSS`, e.g. 1.02.02.2.01.0001 (Kepmendagri 050-5889/2021); the urusan may be X
    (unsur pendukung / penunjang: X.XX.01.2.01.0001)."""
    return bool(_SUB_KEGIATAN_RE.match(code))


def rekening_level(code: str) -> int:
    return code.count(".") + 1


def rekening_prefix(code: str, level: int) -> str:
    return ".".join(code.split(".")[:level])


@cache
def rekening_chart(seeds: Path = SEEDS) -> frozenset[str]:
    """Every kode_rekening of the reference chart (dbt seed rekening = ref.rekening)."""
    with (seeds / "rekening.csv").open(encoding="utf-8") as f:
        return frozenset(row["kode_rekening"] for row in csv.DictReader(f))


@cache
def spm_indikator(seeds: Path = SEEDS) -> frozenset[tuple[str, str]]:
    """(bidang, kode_indikator) of the reference list (dbt seed spm_indikator)."""
    with (seeds / "spm_indikator.csv").open(encoding="utf-8") as f:
        return frozenset((row["bidang"], row["kode_indikator"].upper()) for row in csv.DictReader(f))


# the normaliser of each code list a column of satudata/datasets.py names (`Column.codes`): the
# landing checks run it before looking a value up in the list (dbt staging runs the macro of the same name)
NORMALISERS: dict[str, Callable[[str | None], str | None]] = {
    "jenis_kelamin": clean_jenis_kelamin,
    "status_kepegawaian": clean_status_kepegawaian,
    "jenis_non_asn": clean_jenis_non_asn,
    "jenis_jabatan": clean_jenis_jabatan,
    "eselon": clean_eselon,
    "pendidikan": clean_pendidikan,
    "golongan": clean_golongan,
    "jenis_penghasilan": clean_jenis_penghasilan,
    "predikat": clean_code,
    "versi": clean_versi,
    "jenis_sp2d": clean_jenis_sp2d,
    "tagging": clean_code,
    "status_permohonan": clean_code,
    "kanal": clean_code,
    "bidang_spm": clean_code,
}
