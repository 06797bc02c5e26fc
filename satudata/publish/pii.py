"""The personal-data gate of the publisher (spec section 6; UU 14/2008 KIP Pasal 17 huruf h, UU 27/2022 PDP).

Runs on every outgoing table, after small-cell suppression and before anything is written to
`published/`. Any finding blocks that dataset, with a reason that names the column and the rule but
never repeats the personal value itself:

- PII-001  NIP-shaped values: 18 digits, also written with spaces (`19860926 201505 1 001`)
- PII-002  NIK-shaped values: 16 digits
- PII-003  names of people: a name-like column (`nama`, `nama_pegawai`, `full_name`...) or values that
           carry a person's academic / religious title (`Budi Santoso, S.Kom`, `Hj. Siti`)
- PII-004  birth dates: a birth-date column (`tanggal_lahir`, `dob`...) or a date column whose values
           are mostly 15-80 years old
- PII-005  rows about one person: an identifier column (`nik`, `email`, `alamat`, `telepon`...); in a
           person-based table, a count of exactly 1, or a column that is unique per row and holds
           identifier-like numbers

Small cells: in person-based tables (meta `person_based: true`) counts under the threshold
(Settings.small_cell = dbt var ambang_supresi, 5) are emptied, the whole row's counts at once so
that one cannot be derived from another, and the row is flagged `disupresi = true`. The dbt models
suppress too (`suppress_small` macro); the publisher enforces it again whatever the model did.

Text in, findings out: no database, no files. Heuristics, tuned to not block the published datasets
of the standard; they are a safety net behind the models, not a replacement for reviewing them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

INTEGER_TYPES = {"integer", "bigint", "smallint"}
NUMBER_TYPES = {"numeric", "double precision", "real"}
DATE_TYPES = {"date", "timestamp without time zone", "timestamp with time zone"}

NIP_RE = re.compile(r"(?<![\d.,])\d{8} ?\d{6} ?\d ?\d{3}(?!\d|[.,]\d)")
NIK_RE = re.compile(r"(?<![\d.,])\d{16}(?!\d|[.,]\d)")
# a person's title: `Dr. `, `dr. `, `Drs. `, `Ir. `, `H. `, `Hj. `, `Prof. ` before a capitalised word,
# or an academic degree after a comma: `, S.Kom`, `, S.E.`, `, M.Si`, `, A.Md.Kep`
TITLE_RE = re.compile(
    r"(?:^|\s)(?:Dr|dr|Drs|Dra|Ir|H|Hj|Prof)\.\s*[A-Z][a-z]"
    r"|,\s*(?:S|M|D\d?|A)\.\s?[A-Z][A-Za-z]{0,5}\.?(?=$|[\s,.])"
)
ID_DIGITS_RE = re.compile(r"\d{6,}")

NAME_WORDS = {"nama", "name", "names", "fullname", "firstname", "lastname"}
# `nama_<x>` is the name of a thing, not of a person, when x is one of these
THING_WORDS = {
    "opd",
    "provinsi",
    "kabupaten",
    "kota",
    "kecamatan",
    "kelurahan",
    "desa",
    "wilayah",
    "pemda",
    "daerah",
    "layanan",
    "jabatan",
    "jenis",
    "indikator",
    "sub",
    "kegiatan",
    "program",
    "rekening",
    "akun",
    "unsur",
    "bidang",
    "instansi",
    "unit",
    "satuan",
    "dinas",
    "badan",
    "organisasi",
    "perangkat",
    "dataset",
    "kategori",
    "predikat",
    "golongan",
    "pendidikan",
    "status",
    "sumber",
    "dana",
    "file",
    "tabel",
    "kolom",
    "bulan",
    "hari",
    "libur",
    "produk",
    "aplikasi",
    "sistem",
    "skpd",
    "urusan",
    "fungsi",
    "lokasi",
    "sekolah",
    "puskesmas",
    "faskes",
    "kantor",
    "pendapatan",
    "belanja",
    "pajak",
    "retribusi",
    "objek",
    "rincian",
    "kelompok",
    "eselon",
    "penghasilan",
    "semester",
    "periode",
    "mutu",
    "kinerja",
    "skm",
    "spm",
    "sp2d",
    "dokumen",
    "aturan",
    "hukum",
    "tagging",
    "prioritas",
    "tahap",
    "versi",
}
# ... unless a person is named too (`nama_kepala_opd`, `nama_pemohon_layanan`)
PERSON_WORDS = {
    "pegawai",
    "asn",
    "pns",
    "pppk",
    "pemohon",
    "pelapor",
    "responden",
    "penerima",
    "kepala",
    "pejabat",
    "petugas",
    "pimpinan",
    "lengkap",
    "ibu",
    "ayah",
    "anak",
    "pasien",
    "siswa",
    "orang",
    "pengadu",
    "pemilik",
    "penanggung",
    "kontak",
    "pengguna",
    "user",
    "employee",
    "person",
    "full",
    "first",
    "last",
    "given",
    "family",
    "penandatangan",
    "ttd",
    "wajib",
    "warga",
    "penduduk",
}
BIRTH_WORDS = {"lahir", "kelahiran", "birth", "birthdate", "dob", "tgllahir", "born"}
# columns that identify one person whatever their values look like
IDENTIFIER_WORDS = {
    "nip",
    "nik",
    "npwp",
    "ktp",
    "nkk",
    "kk",
    "email",
    "surel",
    "telepon",
    "telp",
    "hp",
    "phone",
    "ponsel",
    "alamat",
    "address",
    "bpjs",
    "paspor",
    "passport",
    "nuptk",
    "nisn",
    "nrp",
    "niptk",
}
COUNT_PREFIXES = ("jumlah", "count", "banyak", "n_")


@dataclass(frozen=True)
class Finding:
    rule_id: str
    column: str
    message: str
    rows: int = 0

    def reason(self) -> str:
        where = f" in {self.rows} row(s)" if self.rows else ""
        return f"{self.rule_id} personal data in column {self.column!r}: {self.message}{where}"


@dataclass
class Suppression:
    applied: bool
    threshold: int
    columns: list[str]
    rows_suppressed: int  # rows whose counts are empty in the outgoing table
    rows_by_publisher: int  # of those, rows the publisher suppressed (the model had not)
    flag_column: str | None

    def as_metadata(self) -> dict:
        if not self.applied:
            return {"diterapkan": False}
        return {
            "diterapkan": True,
            "ambang": self.threshold,
            "kolom": self.columns,
            "kolom_penanda": self.flag_column,
            "jumlah_baris_disupresi": self.rows_suppressed,
            "jumlah_baris_disupresi_oleh_penerbit": self.rows_by_publisher,
            "keterangan": (
                f"Data berbasis orang: jumlah di bawah {self.threshold} disembunyikan (dikosongkan) "
                f"pada kolom {', '.join(self.columns)}, dan baris tersebut ditandai "
                f"{self.flag_column} = true, untuk melindungi data pribadi (UU 27/2022 PDP)."
            ),
        }


def _words(column: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", column.lower()) if w]


def is_count_column(name: str, pg_type: str, measure: str | None) -> bool:
    if pg_type not in INTEGER_TYPES | NUMBER_TYPES:
        return False
    return name == measure or name.lower().startswith(COUNT_PREFIXES)


def count_columns(columns: Sequence[tuple[str, str]], meta: dict) -> list[str]:
    """The counts of people in a person-based table: the measure, `jumlah_*` columns, meta `suppress`."""
    extra = set(meta.get("suppress", []) or [])
    measure = meta.get("measure")
    return [c for c, t in columns if c in extra or is_count_column(c, t, measure)]


def suppress_small_cells(
    columns: list[tuple[str, str]], rows: list[list[Any]], meta: dict, threshold: int
) -> tuple[list[tuple[str, str]], list[list[Any]], Suppression]:
    """Empty the person counts under `threshold` in a person-based table; flag the row `disupresi`."""
    if not meta.get("person_based") or threshold <= 0:
        return columns, rows, Suppression(False, threshold, [], 0, 0, None)
    counts = count_columns(columns, meta)
    names = [c for c, _ in columns]
    flag = "disupresi"
    if flag not in names:
        columns = [*columns, (flag, "boolean")]
        rows = [[*r, False] for r in rows]
        names.append(flag)
    idx = [names.index(c) for c in counts]
    fi = names.index(flag)
    suppressed = by_publisher = 0
    out = []
    for r in rows:
        r = list(r)
        small = any(r[i] is not None and 0 < r[i] < threshold for i in idx)
        if small:
            for i in idx:
                r[i] = None
            by_publisher += not r[fi]
            r[fi] = True
        suppressed += bool(r[fi])
        out.append(r)
    return columns, out, Suppression(True, threshold, counts, suppressed, by_publisher, flag)


def _plausible_date(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def nip_like_number(digits: str) -> bool:
    """18 digits whose first 8 are a birth date and 9-12 a plausible appointment year."""
    return (
        len(digits) == 18
        and 1940 <= int(digits[:4]) <= 2015
        and _plausible_date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
        and 1960 <= int(digits[8:12]) <= 2045
    )


def nik_like_number(digits: str) -> bool:
    """16 digits: province code 11-94, then a birth date DDMMYY (women: day + 40)."""
    if len(digits) != 16 or not 11 <= int(digits[:2]) <= 94:
        return False
    day, month = int(digits[6:8]), int(digits[8:10])
    day = day - 40 if day > 40 else day
    return 1 <= day <= 31 and 1 <= month <= 12


def _name_column(column: str) -> bool:
    """`nama`, `nama_pegawai`, `full_name`: a person's name; `nama_opd`, `nama_layanan`: a thing's."""
    words = _words(column)
    if not NAME_WORDS & set(words):
        return False
    rest = [w for w in words if w not in NAME_WORDS]
    if not rest or PERSON_WORDS & set(rest):
        return True
    return not (THING_WORDS & set(rest))


def _thing_name_column(column: str) -> bool:
    """The name of an agency, service, region...: titles there are institutions' (RSUD dr. Soeselo)."""
    words = set(_words(column))
    return bool(words & NAME_WORDS) and not _name_column(column)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _birth_like(dates: Counter, today: date) -> bool:
    """Most of the dates (counting repeats) are 15-80 years old, and there are at least 3 different ones."""
    if len(dates) < 3:
        return False
    old = sum(n for d, n in dates.items() if today.year - 80 <= d.year <= today.year - 15)
    return old / sum(dates.values()) >= 0.5


def scan(
    columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], meta: dict, today: date | None = None
) -> list[Finding]:
    """Everything in an outgoing table that could identify a person. Empty = safe to publish."""
    today = today or date.today()
    person_based = bool(meta.get("person_based"))
    primary_key = set(meta.get("primary_key", []) or [])
    measure = meta.get("measure")
    findings: list[Finding] = []
    for i, (name, pg_type) in enumerate(columns):
        words = set(_words(name))
        values = Counter(r[i] for r in rows if r[i] is not None)  # distinct value -> rows: scan each once
        filled = sum(values.values())
        if words & IDENTIFIER_WORDS:
            findings.append(
                Finding(
                    "PII-005",
                    name,
                    "the column name says it identifies a person (NIP, NIK, NPWP, e-mail, telephone, address...)",
                )
            )
        if _name_column(name):
            findings.append(Finding("PII-003", name, "a column of people's names"))
        if words & BIRTH_WORDS:
            findings.append(Finding("PII-004", name, "a birth-date column"))

        texts = {v: n for v, n in values.items() if isinstance(v, str)}
        if pg_type in INTEGER_TYPES | NUMBER_TYPES:
            nip = nik = 0
            exact = pg_type in INTEGER_TYPES  # integers of that length are identifiers, not amounts
            for v, n in values.items():
                if isinstance(v, bool) or not isinstance(v, int | Decimal | float) or v != int(v):
                    continue
                digits = str(abs(int(v)))
                nip += n if len(digits) == 18 and (exact or nip_like_number(digits)) else 0
                nik += n if len(digits) == 16 and (exact or nik_like_number(digits)) else 0
            if nip:
                findings.append(Finding("PII-001", name, "NIP-shaped numbers (18 digits)", nip))
            if nik:
                findings.append(Finding("PII-002", name, "NIK-shaped numbers (16 digits)", nik))
        if texts:
            nip = sum(n for t, n in texts.items() if NIP_RE.search(t))
            nik = sum(n for t, n in texts.items() if NIK_RE.search(t))
            titled = 0 if _thing_name_column(name) else sum(n for t, n in texts.items() if TITLE_RE.search(t))
            if nip:
                findings.append(Finding("PII-001", name, "NIP-shaped values (18 digits)", nip))
            if nik:
                findings.append(Finding("PII-002", name, "NIK-shaped values (16 digits)", nik))
            if titled:
                findings.append(
                    Finding(
                        "PII-003",
                        name,
                        "values that look like people's names (with an academic or religious title)",
                        titled,
                    )
                )

        dates: Counter = Counter()
        if pg_type in DATE_TYPES or texts:
            for v, n in values.items():
                if (d := _as_date(v)) is not None:
                    dates[d] += n
        if dates and not words & BIRTH_WORDS and _birth_like(dates, today):
            findings.append(
                Finding(
                    "PII-004", name, "dates that look like birth dates (most are 15-80 years old)", sum(dates.values())
                )
            )

        if person_based:
            if is_count_column(name, pg_type, measure):
                ones = sum(n for v, n in values.items() if v == 1 and not isinstance(v, bool))
                if ones:
                    findings.append(
                        Finding(
                            "PII-005",
                            name,
                            "a count of exactly one person in a person-based table (raise the small-cell threshold)",
                            ones,
                        )
                    )
            elif (
                name not in primary_key
                and len(rows) >= 3
                and filled == len(rows) == len(values)
                and sum(bool(ID_DIGITS_RE.search(str(v))) for v in values) >= 0.8 * len(values)
            ):
                findings.append(
                    Finding(
                        "PII-005",
                        name,
                        "a key that is unique per row and holds identifier-like numbers: one row per person",
                        len(rows),
                    )
                )
    return findings
