"""Profile steps of the staff exports (SIASN "Data ASN" download, SIMPEG-daerah rekap / nominatif).

Codes go through the seed kode_sinonim (satudata/rules/codes.py), the one place the row checks and
dbt read too: a step never keeps its own table of spellings. A value the seed does not know is left
as written, so the row rules quarantine or warn with the value the OPD sent.
"""

from __future__ import annotations

import re
from typing import Any

from satudata.extract.profiles import FileContext, blank, step
from satudata.reference import resolve_unit_in_file
from satudata.rules import codes as c


@step("kode_baku")
def kode_baku(row: dict[str, Any], ctx: FileContext, **columns: str) -> None:
    """``kode_baku: {jenis_kelamin: jenis_kelamin, golongan: golongan}``: the column's value replaced by the
    canonical code of that list of kode_sinonim (`F` -> P, `S-1/Sarjana` -> S1); unknown values kept."""
    for column, daftar in columns.items():
        value = row.get(column)
        if not blank(value):
            code = c.kode(daftar, str(value))
            if code is not None:
                row[column] = code
    return None


@step("jenis_non_asn_dari_status")
def jenis_non_asn_dari_status(row: dict[str, Any], ctx: FileContext) -> None:
    """A non-ASN written by its kind in the status column (`THL`, `Tenaga Kontrak`, `Honorer`, `PTT`) keeps
    that kind in jenis_non_asn (when the file has no such column); kode_baku then makes the status NON_ASN."""
    if blank(row.get("jenis_non_asn")):
        kind = c.clean_jenis_non_asn(_text(row.get("status_kepegawaian")))
        if kind is not None:
            row["jenis_non_asn"] = kind
    return None


@step("status_siasn")
def status_siasn(row: dict[str, Any], ctx: FileContext, kedudukan_hukum: str = "_kedudukan_hukum") -> None:
    """SIASN writes a PNS/CPNS as `P`/`C` in STATUS CPNS PNS and leaves it blank for a PPPK, whose
    KEDUDUKAN HUKUM is `PPPK Aktif`: the status is taken from there when the column says nothing known."""
    if c.clean_status_kepegawaian(_text(row.get("status_kepegawaian"))) is None:
        status = c.clean_status_kepegawaian(_text(row.get(kedudukan_hukum)))
        if status is not None:
            row["status_kepegawaian"] = status
    return None


@step("set_aside_bukan_pegawai_aktif")
def set_aside_bukan_pegawai_aktif(
    row: dict[str, Any], ctx: FileContext, column: str = "_kedudukan_hukum", id_column: str = "_kedudukan_hukum_id"
) -> str | None:
    """A download of every ASN record includes people who left (BKN kedudukan hukum Pensiun, Meninggal,
    Diberhentikan, Mencapai BUP, PPPK Tidak Aktif, ...): not staff of the month, set aside and counted."""
    name = _text(row.get(column))
    state = c.clean_kedudukan_hukum(name) or c.clean_kedudukan_hukum(_text(row.get(id_column)))
    if state == "BERHENTI":
        label = name or _text(row.get(id_column))
        return f"bukan pegawai aktif (kedudukan hukum: {label}) / no longer in service (kedudukan hukum: {label})"
    return None


# the lines of a signature block under a report: place and date, the office, the name, pangkat, NIP
_SIGNATURE = re.compile(
    r"^(mengetahui|menyetujui|disahkan|kepala\b|plt\b|plh\b|a\.?\s?n\.?\s|sekretaris\b|pejabat\b|"
    r"nip\b|n\.i\.p|pembina\b|penata\b|pengatur\b|juru\b)|^[a-z .'-]+,\s*\d{1,2}\s+[a-z]+\s+\d{4}$",
    re.IGNORECASE,
)
SET_ASIDE_SIGNATURE = "blok tanda tangan atau catatan, bukan baris pegawai / signature block or note, not a staff line"


@step("set_aside_tanda_tangan")
def set_aside_tanda_tangan(row: dict[str, Any], ctx: FileContext, number: str = "_no") -> str | None:
    """The signature block under a rekap ("Metro, 1 April 2024 / Kepala Dinas ... / NIP. 1970...") and
    notes are never staff: a row with no number in the NO column and no NIP that is a signature line, or
    that fills at most two cells, is set aside. A person with a NIP or a number is always a line."""
    if not blank(row.get("nip")) or _is_number(row.get(number)):
        return None
    texts = [str(v).strip() for v in row.values() if not blank(v)]
    if len(texts) <= 2 or any(_SIGNATURE.search(t) for t in texts):
        return SET_ASIDE_SIGNATURE
    return None


@step("periode_wajib")
def periode_wajib(row: dict[str, Any], ctx: FileContext) -> None:
    """The export has no periode column and none was found in its title or file name: the file is refused
    with what to do (a row without its month cannot be placed)."""
    if blank(row.get("periode")):
        from satudata.extract.readers import FileRejected

        raise FileRejected(
            f"Berkas '{ctx.file_name}': periode tidak ditemukan (tidak ada kolom periode, tanggal keadaan di "
            f"judul, atau bulan di nama berkas); beri nama berkas dengan bulannya, mis. 'Data ASN Maret "
            f"2024.xlsx'. / File '{ctx.file_name}': no periode (no column, no snapshot date in the title, no "
            f"month in the file name); name the file with its month, e.g. 'Data ASN Maret 2024.xlsx'.",
            "no_periode",
        )
    return None


@step("kode_opd_dari_unit")
def kode_opd_dari_unit(row: dict[str, Any], ctx: FileContext, column: str) -> None:
    """kode_opd from the unit a row names (SIASN UNOR NAMA, a rekap's UNIT KERJA): the pemda's unit
    crosswalk (satudata.reference.resolve_unit) maps a Puskesmas, UPTD, sekolah or bidang to its OPD.
    A unit it does not know leaves kode_opd blank (the folder's OPD) and is listed once in a file-level
    warning, never a quarantine. A row whose unit is another OPD gets that OPD's code (REF-001 then says
    the row is not this folder's)."""
    if not blank(row.get("kode_opd")) or blank(row.get(column)):
        return None
    code = resolve_unit_in_file(ctx, row[column])
    if code is not None:
        row["kode_opd"] = code
    return None


def _text(value: object) -> str | None:
    return None if blank(value) else str(value)


def _is_number(value: object) -> bool:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and value.strip().rstrip(".").isdigit()
