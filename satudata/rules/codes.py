"""Code lists of the OPD Data Standard and the normalisations the row rules need before dbt runs.

The normalisers mirror the dbt staging macros (dbt_project/macros/normalise.sql): a value the
row rules accept is one staging maps to a canonical code, so both layers agree on what a code is.
Pure functions, text in, canonical code (or None) out; cached where a column has few values.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from pathlib import Path

from satudata.reference import SEEDS

# section 3 of the standard
JENIS_KELAMIN = ("L", "P")
STATUS_KEPEGAWAIAN = ("PNS", "CPNS", "PPPK", "PPPK_PARUH_WAKTU", "NON_ASN")
PNS_LIKE = frozenset({"PNS", "CPNS"})
PPPK_LIKE = frozenset({"PPPK", "PPPK_PARUH_WAKTU"})
JENIS_JABATAN = ("STRUKTURAL", "FUNGSIONAL", "PELAKSANA")
ESELON = ("II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b")
PENDIDIKAN = ("SD", "SMP", "SMA", "D1", "D2", "D3", "D4", "S1", "S2", "S3")
# PNS I/a-I/d, II/a-II/d, III/a-III/d, IV/a-IV/e (PP 99/2000); PPPK I-XVII (Perpres 98/2020)
GOLONGAN_PNS = tuple(f"{g}/{r}" for g, last in (("I", "d"), ("II", "d"), ("III", "d"), ("IV", "e")) for r in "abcde"
                     if r <= last)
GOLONGAN_PPPK = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
                 "XVI", "XVII")
JENIS_PENGHASILAN = ("GAJI", "TPP", "HONOR_NON_ASN")
PREDIKAT = ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG")
# tahapan APBD (Permendagri 77/2020 Bab IV; SIPD "tahapan"): MURNI (penetapan / DPA), PERGESERAN_n
# (pergeseran ke-n, Perkada penjabaran), PERUBAHAN (APBD-P / DPPA); clean_versi maps the labels
VERSI = ("MURNI", *(f"PERGESERAN_{n}" for n in range(1, 10)), "PERUBAHAN")
# jenis SP2D (Permendagri 77/2020 Bab VI): LS and GU (and the closing GU/TU NIHIL) are realisasi;
# UP and TU are advances to the bendahara (uang muka); PENGEMBALIAN is a refund of belanja (contra
# pos, booked as a positive nilai that is subtracted in its month)
JENIS_SP2D = ("LS", "GU", "GU_NIHIL", "TU_NIHIL", "UP", "TU", "PENGEMBALIAN")
JENIS_SP2D_REALISASI = ("LS", "GU", "GU_NIHIL", "TU_NIHIL")
JENIS_SP2D_UANG_MUKA = ("UP", "TU")
TAGGING = ("STUNTING", "KEMISKINAN_EKSTREM", "INFLASI", "PENGANGGURAN")
STATUS_PERMOHONAN = ("DITERIMA", "DIPROSES", "SELESAI", "DITOLAK")
KANAL = ("LOKET", "ONLINE", "MPP")
BIDANG_SPM = ("PENDIDIKAN", "KESEHATAN", "PEKERJAAN_UMUM", "PERUMAHAN_RAKYAT", "TRANTIBUMLINMAS", "SOSIAL")

_SEP = re.compile(r"[\s-]+")
_STRIP = re.compile(r"[\s./-]")


@lru_cache(maxsize=4096)
def clean_code(value: str | None) -> str | None:
    """`Sangat Baik` -> SANGAT_BAIK (dbt macro clean_code)."""
    if value is None:
        return None
    return _SEP.sub("_", value.strip().upper()) or None


_VERSI = {"MURNI": "MURNI", "PENETAPAN": "MURNI", "PENETAPAN_APBD": "MURNI", "APBD": "MURNI",
          "APBD_MURNI": "MURNI", "DPA": "MURNI", "INDUK": "MURNI",
          "PERUBAHAN": "PERUBAHAN", "APBD_P": "PERUBAHAN", "APBDP": "PERUBAHAN", "P_APBD": "PERUBAHAN",
          "APBD_PERUBAHAN": "PERUBAHAN", "PERUBAHAN_APBD": "PERUBAHAN", "DPPA": "PERUBAHAN"}
_PERGESERAN_RE = re.compile(r"^PERGESERAN_(?:KE_?)?([1-9])$")


@lru_cache(maxsize=256)
def clean_versi(value: str | None) -> str | None:
    """`Penetapan`, `APBD murni` -> MURNI; `Pergeseran 1`, `Pergeseran ke-2` -> PERGESERAN_1, _2;
    `DPPA`, `APBD-P`, `Perubahan` -> PERUBAHAN; else the cleaned code (not in VERSI: FMT-003).
    Mirrors the dbt macro clean_versi."""
    code = clean_code(value)
    if code is None:
        return None
    if code in _VERSI:
        return _VERSI[code]
    m = _PERGESERAN_RE.match(code)
    return f"PERGESERAN_{m.group(1)}" if m else code


_SP2D_NUMBER_RE = re.compile(r"/(LS|GU|UP|TU)/")
_JENIS_SP2D = {"LS": "LS", "GU": "GU", "UP": "UP", "TU": "TU", "GU_NIHIL": "GU_NIHIL", "TU_NIHIL": "TU_NIHIL",
               "PENGEMBALIAN": "PENGEMBALIAN", "PENGEMBALIAN_BELANJA": "PENGEMBALIAN", "CP": "PENGEMBALIAN",
               "CONTRA_POS": "PENGEMBALIAN", "KONTRA_POS": "PENGEMBALIAN"}


@lru_cache(maxsize=256)
def clean_jenis_sp2d(value: str | None, nomor_sp2d: str | None = None) -> str | None:
    """The jenis of an SP2D line from the column (`ls`, `GU Nihil`, `Pengembalian Belanja`, `CP`), or,
    when it is empty, from the number (`.../LS/...`, `/GU/`, `/UP/`, `/TU/`, `/CP/`); mirrors the dbt
    macro clean_jenis_sp2d. An unknown label comes back cleaned (not in JENIS_SP2D: FMT-003)."""
    code = clean_code(value)
    if code is not None:
        return _JENIS_SP2D.get(code, code)
    nomor = (nomor_sp2d or "").upper()
    if "/CP/" in nomor:
        return "PENGEMBALIAN"
    m = _SP2D_NUMBER_RE.search(nomor)
    return m.group(1) if m else None


_JK = {"L": "L", "LK": "L", "LAKI-LAKI": "L", "LAKI LAKI": "L", "PRIA": "L", "1": "L",
       "P": "P", "PR": "P", "PEREMPUAN": "P", "WANITA": "P", "2": "P"}


@lru_cache(maxsize=256)
def clean_jenis_kelamin(value: str | None) -> str | None:
    return None if value is None else _JK.get(value.strip().upper())


_ESELON_RE = re.compile(r"^(I|II|III|IV|V)([AB])$")


@lru_cache(maxsize=256)
def clean_eselon(value: str | None) -> str | None:
    """`IIa`, `II A`, `ii.a`, `II/a` -> `II.a`; anything else (blank, `-`, `NON`) -> None."""
    if value is None:
        return None
    m = _ESELON_RE.match(_STRIP.sub("", value.upper()))
    return f"{m.group(1)}.{m.group(2).lower()}" if m else None


_GOL_PNS_RE = re.compile(r"^(I|II|III|IV)([A-E])$")
_ROMAN_RE = re.compile(r"^X{0,1}(IX|IV|V?I{0,3})$")


@lru_cache(maxsize=1024)
def clean_golongan(value: str | None) -> str | None:
    """PNS `III/a` (accepts IIIa, III.a, III A); PPPK roman I..XVII upper; else None."""
    if value is None:
        return None
    m = _GOL_PNS_RE.match(_STRIP.sub("", value.upper()))
    if m:
        return f"{m.group(1)}/{m.group(2).lower()}"
    text = value.strip().upper()
    return text if text and _ROMAN_RE.match(text) else None


_PENDIDIKAN = {"SD": "SD", "SMP": "SMP", "SLTP": "SMP", "SMA": "SMA", "SLTA": "SMA", "SMK": "SMA", "D1": "D1",
               "DI": "D1", "D2": "D2", "DII": "D2", "D3": "D3", "DIII": "D3", "D4": "D4", "DIV": "D4", "S1": "S1",
               "S2": "S2", "S3": "S3"}


@lru_cache(maxsize=256)
def clean_pendidikan(value: str | None) -> str | None:
    return None if value is None else _PENDIDIKAN.get(_STRIP.sub("", value.upper()))


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
