"""Row rules of the catalogue (implementation kind `row`): run on landing, one submitted row at a time.

Each check is registered under its rule id and takes the typed row (canonical column -> value)
and the file's `RowChecker` (what a file-level rule remembers: keys seen so far, the OPD of the
folder, today's date). It returns the findings it raises, or an empty tuple. A fatal finding
quarantines the row (satudata/load/loader.py); a warning keeps it and is reported.

Checks are small and only build a Finding when a rule is broken: they run on every submitted
row (budget: well over 100k rows per second for a dataset's whole rule set).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from satudata.datasets import DATASETS
from satudata.rules import Finding, catalogue, finding
from satudata.rules import codes as c

Row = dict[str, Any]
Found = Sequence[Finding]
RowCheck = Callable[[Row, "RowChecker"], Found]
NONE: Found = ()

ROW_CHECKS: dict[str, RowCheck] = {}
# the columns each check reads (of the typed row, and through RowChecker.prepare): the block loader
# (satudata/load/blocks.py) runs a check once per distinct combination of them; a callable gives them per dataset
READS: dict[str, tuple[str, ...] | Callable[[str], tuple[str, ...]]] = {}
# checks whose answer depends on the rows before (in-file uniqueness): run row by row, in file order
IN_ORDER: set[str] = set()


def row_rule(
    rule_id: str, reads: tuple[str, ...] | Callable[[str], tuple[str, ...]], in_order: bool = False
) -> Callable[[RowCheck], RowCheck]:
    def register(fn: RowCheck) -> RowCheck:
        if rule_id in ROW_CHECKS:
            raise ValueError(f"row rule {rule_id} is registered twice")
        ROW_CHECKS[rule_id] = fn
        READS[rule_id] = reads
        if in_order:
            IN_ORDER.add(rule_id)
        return fn

    return register


def reads(rule_id: str, dataset: str) -> tuple[str, ...]:
    """The columns the check `rule_id` reads on a row of `dataset`."""
    declared = READS[rule_id]
    return declared(dataset) if callable(declared) else declared


# ---- every dataset ---------------------------------------------------------------------------


@row_rule("REF-001", ("kode_opd",))
def opd_matches_folder(row: Row, ctx: RowChecker) -> Found:
    kode_opd = row.get("kode_opd")
    if kode_opd is None or kode_opd in ctx.opd_codes:
        return NONE
    if kode_opd.upper() in ctx.opd_codes:
        ctx.opd_codes.add(kode_opd)  # the same spelling again is accepted at once
        return NONE
    return [finding("REF-001", "kode_opd", kode_opd, ctx.opd_folder)]


CodeCheck = dict[str, dict[str, tuple[Callable[[Any], Any], tuple[str, ...]]]]


def code_checks(check: str) -> CodeCheck:
    """dataset -> column -> (normaliser, code list) of the columns satudata/datasets.py declares with a
    code list checked this way; the list is the seed kode_sinonim's (satudata/rules/codes.py)."""
    return {
        d.name: cols
        for d in DATASETS.values()
        if (
            cols := {
                col.name: (c.NORMALISERS[col.codes], c.daftar_kode(col.codes))
                for col in d.columns
                if col.codes and col.code_check == check
            }
        )
    }


# FMT-003 (fatal): the dimensions a publication groups by
KEY_CODES = code_checks("key")
# FMT-004 (warning): attributes that are counted as TIDAK_DIKETAHUI when not in the list
ATTRIBUTE_CODES = code_checks("attribute")
# FMT-004 (warning) on each code of a list column (`STUNTING, INFLASI`)
TAG_CODES = code_checks("tags")
TAG_SEPARATORS = re.compile(r"[,;|/]")
NO_ESELON = frozenset({"-", "NON", "NON ESELON", "NON-ESELON", "NONESELON", "TIDAK ADA", "0"})


def one_row_per_key(dataset: str) -> RowCheck:
    """The key rule of a dataset (satudata/datasets.py `key`, `key_rule`): one row per key in a file. The
    key's coded columns are compared normalised (`Gaji ke-13` and `GAJI_13` are one pay run); the first
    key column that is not a period column is the one reported, and a row without it is not checked."""
    declared = DATASETS[dataset]
    rule_id = declared.key_rule
    assert rule_id is not None
    reported = next(k for k in declared.key if k not in declared.period_columns)
    parts = [(k, c.NORMALISERS[col.codes] if (col := declared.column(k)).codes else None) for k in declared.key]
    expected = f"satu baris per ({', '.join(declared.key)})"

    def check(row: Row, ctx: RowChecker) -> Found:
        value = row.get(reported)
        if not value:
            return NONE
        key = tuple(clean(row.get(k)) if clean else row.get(k) for k, clean in parts)
        seen = ctx.seen[rule_id]
        if key in seen:
            return [finding(rule_id, reported, value, expected)]
        seen.add(key)
        return NONE

    return check


for _dataset in DATASETS.values():
    if _dataset.key_rule:
        row_rule(_dataset.key_rule, tuple(_dataset.key), in_order=True)(one_row_per_key(_dataset.name))


@row_rule("FMT-003", lambda dataset: tuple(KEY_CODES.get(dataset, {})))
def key_code_in_list(row: Row, ctx: RowChecker) -> Found:
    found: list[Finding] = []
    for column, clean, allowed, valid in ctx.key_codes:
        value = row.get(column)
        if value is None or value in valid:
            continue
        if clean(value) in allowed:
            valid.add(value)
        else:
            found.append(finding("FMT-003", column, value, ", ".join(allowed)))
    return found


@row_rule("FMT-004", lambda dataset: tuple(ATTRIBUTE_CODES.get(dataset, {})) + tuple(TAG_CODES.get(dataset, {})))
def attribute_code_in_list(row: Row, ctx: RowChecker) -> Found:
    found: list[Finding] = []
    for column, clean, allowed, valid in ctx.attribute_codes:
        value = row.get(column)
        if value is None or value in valid:
            continue
        if clean(value) in allowed:
            valid.add(value)
            continue
        if column == "eselon" and value.strip().upper() in NO_ESELON:
            continue
        found.append(finding("FMT-004", column, value, ", ".join(allowed)))
    for column, (clean, allowed) in TAG_CODES.get(ctx.dataset, {}).items():
        if not row.get(column):
            continue
        for tag in TAG_SEPARATORS.split(str(row[column])):
            if tag.strip() and clean(tag) not in allowed:
                found.append(finding("FMT-004", column, tag.strip(), ", ".join(allowed)))
    return found


# ---- kepegawaian -----------------------------------------------------------------------------


def _nip_birth(nip: str) -> date | None:
    try:
        return date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return None


@row_rule("PEG-001", ("nip", "status_kepegawaian"))
def nip_has_18_digits(row: Row, ctx: RowChecker) -> Found:
    nip = row.get("nip")
    if nip is None:
        status = ctx.status
        if status is None or status == "NON_ASN":
            return NONE
        return [finding("PEG-001", "nip", None, "18 digit")]
    if len(nip) != 18 or not nip.isdigit():
        return [finding("PEG-001", "nip", nip, "18 digit")]
    return NONE


@row_rule("PEG-002", ("nip",))
def nip_birth_date_valid(row: Row, ctx: RowChecker) -> Found:
    nip = ctx.nip
    if nip is None:
        return NONE
    born = ctx.born
    if born is None or not 1940 <= born.year <= ctx.today.year - 15:
        return [finding("PEG-002", "nip", nip, "TTTTBBHH")]
    return NONE


MONTHS = frozenset(f"{m:02d}" for m in range(1, 13))


def _plausible_year(nip: str, ctx: RowChecker) -> bool:
    """Digits 9-12 a year from 15 years after the birth year to next year (4-digit strings compare
    like the numbers)."""
    return str(int(nip[0:4]) + 15) <= nip[8:12] <= ctx.next_year


@row_rule("PEG-003", ("nip", "status_kepegawaian"))
def nip_pns_tmt(row: Row, ctx: RowChecker) -> Found:
    nip = ctx.nip
    if nip is None or ctx.status not in c.PNS_LIKE:
        return NONE
    if nip[12:14] not in MONTHS or not _plausible_year(nip, ctx):
        return [finding("PEG-003", "nip", nip, "digit 9-14 TTTTBB, BB 01-12")]
    return NONE


@row_rule("PEG-004", ("nip", "status_kepegawaian"))
def nip_pns_sex_digit(row: Row, ctx: RowChecker) -> Found:
    nip = ctx.nip
    if nip is None or ctx.status not in c.PNS_LIKE or nip[14] in "12":
        return NONE
    return [finding("PEG-004", "nip", nip, "digit 15 = 1 / 2")]


@row_rule("PEG-006", ("nip", "status_kepegawaian"))
def nip_pppk_year_contract(row: Row, ctx: RowChecker) -> Found:
    """PPPK: digits 9-12 the appointment year, 13-14 the contract count. The TMT month rule of
    PNS (PEG-003) is deliberately not applied: `...2021 15...` is the 15th contract, not month 15."""
    nip = ctx.nip
    if nip is None or ctx.status not in c.PPPK_LIKE:
        return NONE
    if not _plausible_year(nip, ctx) or nip[12:14] == "00":
        return [finding("PEG-006", "nip", nip, "digit 9-12 tahun, 13-14 kontrak 01-99")]
    return NONE


@row_rule("PEG-007", ("nip", "tanggal_lahir"))
def nip_birth_matches_tanggal_lahir(row: Row, ctx: RowChecker) -> Found:
    lahir = row.get("tanggal_lahir")
    if ctx.nip is None or lahir is None:
        return NONE
    born = ctx.born
    if born is not None and born != lahir:
        return [finding("PEG-007", "tanggal_lahir", lahir.isoformat(), born.isoformat())]
    return NONE


@row_rule("PEG-008", ("nip", "jenis_kelamin", "status_kepegawaian"))
def nip_sex_matches_jenis_kelamin(row: Row, ctx: RowChecker) -> Found:
    """Digit 15 is the sex for PNS/CPNS (the standard) and, in practice, for PPPK too: checked
    wherever it is 1 or 2 on an ASN."""
    nip, jk = ctx.nip, row.get("jenis_kelamin")
    if nip is None or jk is None or nip[14] not in "12" or ctx.status == "NON_ASN":
        return NONE
    expected = "L" if nip[14] == "1" else "P"
    actual = c.clean_jenis_kelamin(jk)
    if actual is not None and actual != expected:
        return [finding("PEG-008", "jenis_kelamin", jk, expected)]
    return NONE


@row_rule("PEG-009", ("status_kepegawaian", "golongan"))
def golongan_valid_for_status(row: Row, ctx: RowChecker) -> Found:
    status, golongan = ctx.status, row.get("golongan")
    if (status, golongan) in ctx.valid_golongan:
        return NONE
    if status in c.PNS_LIKE:
        allowed, text = c.GOLONGAN_PNS, "PNS/CPNS I/a-IV/e"
    elif status in c.PPPK_LIKE:
        allowed, text = c.GOLONGAN_PPPK, "PPPK I-XVII"
    elif status == "NON_ASN":
        if golongan is not None and golongan.strip() not in ("-", ""):
            return [finding("PEG-009", "golongan", golongan, "NON_ASN tanpa golongan")]
        return NONE
    else:
        return NONE
    if golongan is None or c.clean_golongan(golongan) not in allowed:
        return [finding("PEG-009", "golongan", golongan, text)]
    ctx.valid_golongan.add((status, golongan))
    return NONE


@row_rule("PEG-010", ("eselon", "jenis_jabatan"))
def eselon_only_on_struktural(row: Row, ctx: RowChecker) -> Found:
    eselon = row.get("eselon")
    if eselon is None or c.clean_eselon(eselon) is None:
        return NONE
    jenis = row.get("jenis_jabatan")
    if jenis is not None and c.clean_jenis_jabatan(jenis) != "STRUKTURAL":
        return [
            finding(
                "PEG-010",
                "eselon",
                eselon,
                "kosong untuk jabatan " + (c.clean_jenis_jabatan(jenis) or c.clean_code(jenis) or ""),
            )
        ]
    return NONE


@row_rule("FOR-001", ("kebutuhan", "terisi"))
def terisi_within_kebutuhan(row: Row, ctx: RowChecker) -> Found:
    kebutuhan, terisi = row.get("kebutuhan"), row.get("terisi")
    if kebutuhan is not None and terisi is not None and terisi > kebutuhan:
        return [finding("FOR-001", "terisi", terisi, f"<= {kebutuhan}")]
    return NONE


@row_rule("FOR-002", ("kebutuhan", "terisi", "usulan_pengisian"))
def usulan_within_vacancies(row: Row, ctx: RowChecker) -> Found:
    kebutuhan, terisi, usulan = row.get("kebutuhan"), row.get("terisi"), row.get("usulan_pengisian")
    if kebutuhan is None or terisi is None or usulan is None:
        return NONE
    vacancies = max(kebutuhan - terisi, 0)
    if usulan > vacancies:
        return [finding("FOR-002", "usulan_pengisian", usulan, f"<= {vacancies}")]
    return NONE


@row_rule("PAY-001", ("jumlah_penerima", "nilai_bruto"))
def pay_not_negative(row: Row, ctx: RowChecker) -> Found:
    found = []
    for column in ("jumlah_penerima", "nilai_bruto"):
        value = row.get(column)
        if value is not None and value < 0:
            found.append(finding("PAY-001", column, value, ">= 0"))
    return found


@row_rule("PAY-002", ("jumlah_penerima", "nilai_bruto"))
def pay_recipients_and_amount_agree(row: Row, ctx: RowChecker) -> Found:
    penerima, nilai = row.get("jumlah_penerima"), row.get("nilai_bruto")
    if penerima is None or nilai is None:
        return NONE
    if penerima > 0 and nilai == 0:
        return [finding("PAY-002", "nilai_bruto", nilai, "> 0")]
    if penerima == 0 and nilai > 0:
        return [finding("PAY-002", "jumlah_penerima", penerima, "> 0")]
    return NONE


@row_rule("PAY-004", ("tanggal_bayar",))
def paid_not_in_future(row: Row, ctx: RowChecker) -> Found:
    paid = row.get("tanggal_bayar")
    if paid is not None and paid > ctx.today:
        return [finding("PAY-004", "tanggal_bayar", paid.isoformat(), f"<= {ctx.today.isoformat()}")]
    return NONE


# ---- anggaran --------------------------------------------------------------------------------


@row_rule("REK-001", ("kode_rekening",))
def rekening_format(row: Row, ctx: RowChecker) -> Found:
    code = row.get("kode_rekening")
    if code is None or ctx.rekening_ok or c.rekening_is_13_2006(code):
        return NONE
    return [finding("REK-001", "kode_rekening", code, "x.x.xx.xx.xx.xxxx")]


@row_rule("REK-002", ("kode_rekening",))
def rekening_not_13_2006(row: Row, ctx: RowChecker) -> Found:
    code = row.get("kode_rekening")
    if code is not None and not ctx.rekening_ok and c.rekening_is_13_2006(code):
        return [finding("REK-002", "kode_rekening", code, "Permendagri 90/2019")]
    return NONE


def missing_parent(code: str, chart: frozenset[str]) -> str | None:
    """The first of akun / kelompok / jenis of a code that the chart lacks."""
    for level in range(1, min(3, c.rekening_level(code)) + 1):
        prefix = c.rekening_prefix(code, level)
        if prefix not in chart:
            return prefix
    return None


@row_rule("REK-003", ("kode_rekening",))
def rekening_parent_exists(row: Row, ctx: RowChecker) -> Found:
    missing = ctx.rekening_missing_parent
    return [finding("REK-003", "kode_rekening", row["kode_rekening"], missing)] if missing else NONE


@row_rule("REK-004", ("kode_rekening",))
def rekening_in_chart(row: Row, ctx: RowChecker) -> Found:
    code = row.get("kode_rekening")
    if code is None or not ctx.rekening_ok or ctx.rekening_missing_parent or c.rekening_level(code) < 4:
        return NONE
    if code in ctx.chart:
        return NONE
    return [finding("REK-004", "kode_rekening", code, "ref.rekening")]


@row_rule("ANG-001", ("kode_sub_kegiatan",))
def sub_kegiatan_format(row: Row, ctx: RowChecker) -> Found:
    code = row.get("kode_sub_kegiatan")
    if code is not None and not c.sub_kegiatan_well_formed(code):
        return [finding("ANG-001", "kode_sub_kegiatan", code, "U.BB.PP.2.KK.SSSS")]
    return NONE


@row_rule("ANG-002", ("pagu",))
def pagu_not_negative(row: Row, ctx: RowChecker) -> Found:
    pagu = row.get("pagu")
    return [finding("ANG-002", "pagu", pagu, ">= 0")] if pagu is not None and pagu < 0 else NONE


@row_rule("BEL-001", ("nilai",))
def sp2d_positive(row: Row, ctx: RowChecker) -> Found:
    nilai = row.get("nilai")
    return [finding("BEL-001", "nilai", nilai, "> 0")] if nilai is not None and nilai <= 0 else NONE


@row_rule("BEL-002", ("kode_rekening",))
def sp2d_account_is_leaf_under_5(row: Row, ctx: RowChecker) -> Found:
    code = row.get("kode_rekening")
    if code is None or not ctx.rekening_ok:
        return NONE  # REK-001 / REK-002 say why
    if not code.startswith("5.") or c.rekening_level(code) != 6:
        return [finding("BEL-002", "kode_rekening", code, "5.x.xx.xx.xx.xxxx")]
    return NONE


@row_rule("KAS-001", ("rencana",))
def rencana_not_negative(row: Row, ctx: RowChecker) -> Found:
    rencana = row.get("rencana")
    return [finding("KAS-001", "rencana", rencana, ">= 0")] if rencana is not None and rencana < 0 else NONE


@row_rule("KAS-002", ("kode_rekening",))
def kas_account_is_leaf_under_5(row: Row, ctx: RowChecker) -> Found:
    code = row.get("kode_rekening")
    if code is None or not ctx.rekening_ok:
        return NONE  # REK-001 / REK-002 say why
    if not code.startswith("5.") or c.rekening_level(code) != 6:
        return [finding("KAS-002", "kode_rekening", code, "5.x.xx.xx.xx.xxxx")]
    return NONE


@row_rule("BEL-004", ("tanggal_sp2d", "tahun"))
def sp2d_date_in_tahun(row: Row, ctx: RowChecker) -> Found:
    tanggal, tahun = row.get("tanggal_sp2d"), row.get("tahun")
    if tanggal is not None and tahun is not None and tanggal.year != tahun:
        return [finding("BEL-004", "tanggal_sp2d", tanggal.isoformat(), str(tahun))]
    return NONE


@row_rule("PEN-001", ("kode_rekening",))
def pendapatan_under_4(row: Row, ctx: RowChecker) -> Found:
    code = row.get("kode_rekening")
    if code is not None and ctx.rekening_ok and not code.startswith("4"):
        return [finding("PEN-001", "kode_rekening", code, "4.x")]
    return NONE


@row_rule("PEN-002", ("bulan",))
def bulan_1_to_12(row: Row, ctx: RowChecker) -> Found:
    bulan = row.get("bulan")
    return [finding("PEN-002", "bulan", bulan, "1-12")] if bulan is not None and not 1 <= bulan <= 12 else NONE


_PERSEN_TOLERANCE = Decimal("0.01")


@row_rule("LRA-002", ("anggaran", "realisasi", "persentase"))
def lra_persentase(row: Row, ctx: RowChecker) -> Found:
    anggaran, realisasi, persen = row.get("anggaran"), row.get("realisasi"), row.get("persentase")
    if persen is None or not anggaran or realisasi is None:
        return NONE
    computed = Decimal(realisasi) * 100 / Decimal(anggaran)
    if abs(Decimal(persen) - computed) > _PERSEN_TOLERANCE:
        return [finding("LRA-002", "persentase", persen, f"{computed:.2f}")]
    return NONE


# ---- pelayanan -------------------------------------------------------------------------------


@row_rule("LAY-001", ("tanggal_masuk", "tanggal_selesai"))
def selesai_not_before_masuk(row: Row, ctx: RowChecker) -> Found:
    masuk, selesai = row.get("tanggal_masuk"), row.get("tanggal_selesai")
    if masuk and selesai and selesai < masuk:
        return [finding("LAY-001", "tanggal_selesai", selesai.isoformat(), f">= {masuk.isoformat()}")]
    return NONE


@row_rule("LAY-002", ("status", "tanggal_selesai"))
def selesai_has_date(row: Row, ctx: RowChecker) -> Found:
    status = row.get("status")
    if status is not None and c.clean_code(status) == "SELESAI" and row.get("tanggal_selesai") is None:
        return [finding("LAY-002", "tanggal_selesai", None, "tanggal selesai")]
    return NONE


@row_rule("LAY-004", ("waktu_penyelesaian_hari", "biaya"))
def sla_and_biaya(row: Row, ctx: RowChecker) -> Found:
    found = []
    sla, biaya = row.get("waktu_penyelesaian_hari"), row.get("biaya")
    if sla is not None and sla <= 0:
        found.append(finding("LAY-004", "waktu_penyelesaian_hari", sla, "> 0"))
    if biaya is not None and biaya < 0:
        found.append(finding("LAY-004", "biaya", biaya, ">= 0"))
    return found


@row_rule("SKM-001", ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"))
def skm_scores_1_to_4(row: Row, ctx: RowChecker) -> Found:
    return [
        finding("SKM-001", col, row[col], "1-4")
        for col in ("u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9")
        if row.get(col) is not None and not 1 <= row[col] <= 4
    ]


@row_rule("SKM-002", ("usia",))
def skm_age_plausible(row: Row, ctx: RowChecker) -> Found:
    usia = row.get("usia")
    return [finding("SKM-002", "usia", usia, "15-100")] if usia is not None and not 15 <= usia <= 100 else NONE


@row_rule("SPM-001", ("sasaran", "terlayani"))
def spm_not_negative(row: Row, ctx: RowChecker) -> Found:
    return [
        finding("SPM-001", col, row[col], ">= 0")
        for col in ("sasaran", "terlayani")
        if row.get(col) is not None and row[col] < 0
    ]


@row_rule("SPM-002", ("sasaran", "terlayani"))
def spm_terlayani_within_sasaran(row: Row, ctx: RowChecker) -> Found:
    sasaran, terlayani = row.get("sasaran"), row.get("terlayani")
    if sasaran is not None and terlayani is not None and terlayani > sasaran >= 0:  # negative: SPM-001
        return [finding("SPM-002", "terlayani", terlayani, f"<= {sasaran}")]
    return NONE


@row_rule("SPM-003", ("bidang", "kode_indikator"))
def spm_indikator_known(row: Row, ctx: RowChecker) -> Found:
    bidang, kode = row.get("bidang"), row.get("kode_indikator")
    if bidang is None or kode is None:
        return NONE
    bidang = c.clean_code(bidang)
    if bidang in c.BIDANG_SPM and (bidang, kode.strip().upper()) not in c.spm_indikator():
        return [finding("SPM-003", "kode_indikator", kode, bidang)]
    return NONE


@row_rule("ADU-001", ("tanggal", "tanggal_tindak_lanjut"))
def tindak_lanjut_not_before_tanggal(row: Row, ctx: RowChecker) -> Found:
    tanggal, lanjut = row.get("tanggal"), row.get("tanggal_tindak_lanjut")
    if tanggal and lanjut and lanjut < tanggal:
        return [finding("ADU-001", "tanggal_tindak_lanjut", lanjut.isoformat(), f">= {tanggal.isoformat()}")]
    return NONE


class RowChecker:
    """Runs every row rule of a dataset over the rows of one file, in catalogue order."""

    def __init__(self, dataset: str, opd_folder: str, opd_codes: set[str], today: date | None = None):
        self.dataset = dataset
        self.opd_folder = opd_folder
        self.opd_codes = {code.upper() for code in opd_codes} | {opd_folder.upper()}
        self.today = today or date.today()
        # (column, normaliser, code list, raw spellings already found valid in this file)
        self.key_codes: list[tuple[str, Callable[[Any], Any], tuple[str, ...], set[str]]] = [
            (col, clean, allowed, set()) for col, (clean, allowed) in KEY_CODES.get(dataset, {}).items()
        ]
        self.attribute_codes: list[tuple[str, Callable[[Any], Any], tuple[str, ...], set[str]]] = [
            (col, clean, allowed, set()) for col, (clean, allowed) in ATTRIBUTE_CODES.get(dataset, {}).items()
        ]
        self.checks = [
            ROW_CHECKS[r.id]
            for r in catalogue().values()
            if r.kind == "row" and r.applies_to(dataset) and r.id in ROW_CHECKS
        ]
        self.seen: dict[str, set] = {d.key_rule: set() for d in DATASETS.values() if d.key_rule}
        # what several rules of a row read, worked out once per row (see prepare)
        self.has_nip = any(col.name == "nip" for col in DATASETS[dataset].columns) if dataset in DATASETS else False
        self.has_rekening = dataset in DATASETS and "kode_rekening" in DATASETS[dataset].column_names
        self.chart = c.rekening_chart() if self.has_rekening else frozenset()
        self.nip: str | None = None
        self.born: date | None = None
        self.status: str | None = None
        self.rekening_ok = False
        self.rekening_missing_parent: str | None = None
        self._parents: dict[str, str | None] = {}
        self._born: dict[str, date | None] = {}
        self.valid_golongan: set[tuple[str | None, str | None]] = set()  # found valid in this file
        self.next_year = str(self.today.year + 1)

    def prepare(self, row: Row) -> None:
        if self.has_nip:
            nip = row.get("nip")
            self.nip = nip if nip is not None and len(nip) == 18 and nip.isdigit() else None
            if self.nip is None:
                self.born = None
            else:
                digits = self.nip[:8]
                if digits not in self._born:
                    self._born[digits] = _nip_birth(self.nip)
                self.born = self._born[digits]
            status = row.get("status_kepegawaian")
            self.status = c.clean_status_kepegawaian(status)
        if self.has_rekening:
            code = row.get("kode_rekening")
            self.rekening_ok = code is not None and c.rekening_well_formed(code)
            if code is not None and self.rekening_ok:
                jenis = c.rekening_prefix(code, 3)
                if jenis not in self._parents:
                    self._parents[jenis] = missing_parent(code, self.chart)
                self.rekening_missing_parent = self._parents[jenis]
            else:
                self.rekening_missing_parent = None

    def check(self, row: Row) -> list[Finding]:
        self.prepare(row)
        found: list[Finding] = []
        for check in self.checks:
            result = check(row, self)
            if result:
                found += result
        return found
