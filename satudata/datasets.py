"""The 14 datasets of the OPD Data Standard (section 3): canonical columns, types and aliases.

This module is the one place that says what a submission of each dataset looks like (issue 18: one
declaration per dataset): its columns and their types and code lists, the key of one row, the period a
row belongs to, who produces it, how often it is expected, and the kinds of source that may deliver it.
Readers match headers against it, the loader casts with it, and the raw tables are created from it;
derived from it: the row checks of code lists and keys (satudata/rules/row_checks.py), the period of a
raw row (satudata/rules/completeness.py), the sample's source registry (satudata/extract/sample_registry.py)
and the source kinds the registry accepts (satudata/extract/registry.py). What cannot import it (dbt
sources, staging `accepted_values`, the published keys) is checked against it by
tests/unit/test_declarations.py. The code lists themselves are the dbt seed kode_sinonim
(satudata/rules/codes.py reads it): a column names its list, `codes="versi"`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "integer", "numeric", "date"]
# how a coded column is checked on landing: key = FMT-003 (fatal, a dimension a publication groups by),
# attribute = FMT-004 (warning; counted as TIDAK_DIKETAHUI), tags = FMT-004 on each code of a list
# separated by , ; | or /
CodeCheck = Literal["key", "attribute", "tags"]
Frekuensi = Literal["bulanan", "semesteran", "triwulanan", "tahunan"]
SourceKind = Literal["file", "http", "sql"]
SOURCE_KINDS: tuple[SourceKind, ...] = ("file", "http", "sql")


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "text"
    required: bool = True  # the header must be present, or the file is rejected
    aliases: tuple[str, ...] = ()
    pii: bool = False  # identifies a person: never published
    codes: str | None = None  # its code list: a `daftar` of the dbt seed kode_sinonim
    code_check: CodeCheck = "key"


@dataclass(frozen=True)
class Dataset:
    name: str
    domain: Literal["kepegawaian", "anggaran", "pelayanan"]
    columns: tuple[Column, ...]
    # columns whose values name the period a row belongs to; a corrected file replaces the
    # rows of the same pemda x OPD x dataset x period
    period_columns: tuple[str, ...]
    # applicant/citizen identity columns dropped on landing (service data)
    drop_columns: tuple[str, ...] = ()
    title: str = ""
    # the OPD (or kind of OPD) that produces it; a publication names it as produsen_data
    produsen: str = ""
    # how often the source registry expects it by default (the sample's registry): bulanan = every
    # month, semesteran = January and July, triwulanan = the last month of each quarter, tahunan = yearly
    frekuensi: Frekuensi = "tahunan"
    # the period (YYYY-MM, YYYY, or '*' = none) of a raw row, as SQL over its columns (completeness)
    period_sql: str = "'*'"
    # one row per these columns in a file (key_rule raises a duplicate; the first key column that is not
    # a period column is the one reported)
    key: tuple[str, ...] = ()
    key_rule: str | None = None
    source_kinds: tuple[SourceKind, ...] = SOURCE_KINDS

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# kode_opd may be left out of a file drop: the folder names the OPD
KODE_OPD = Column("kode_opd", required=False, aliases=("opd", "kode skpd", "kode unit", "skpd"))

IDENTITY_COLUMNS = ("nama", "nik", "alamat", "telepon", "hp", "no_hp", "email", "nama_pemohon")

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in [
        Dataset(
            "pegawai",
            "kepegawaian",
            (
                Column("nip", aliases=("n i p", "nip baru", "nomor induk pegawai"), required=False, pii=True),
                Column("nama", aliases=("nama pegawai", "nama lengkap"), pii=True),
                Column("jenis_kelamin", aliases=("jk", "l/p", "sex"), codes="jenis_kelamin", code_check="attribute"),
                Column("tanggal_lahir", "date", aliases=("tgl lahir", "tgl_lahir"), pii=True),
                Column("status_kepegawaian", aliases=("status", "status pegawai"), codes="status_kepegawaian"),
                # NON_ASN kind (THL, PTT, HONORER, KONTRAK); filled from the status label when the file has none
                Column(
                    "jenis_non_asn",
                    required=False,
                    aliases=("jenis non asn", "jenis tenaga non asn"),
                    codes="jenis_non_asn",
                    code_check="attribute",
                ),
                Column("golongan", required=False, aliases=("gol", "gol/ruang", "pangkat golongan")),
                Column("jenis_jabatan", codes="jenis_jabatan"),
                Column("eselon", required=False, codes="eselon", code_check="attribute"),
                Column("nama_jabatan", aliases=("jabatan",)),
                Column(
                    "pendidikan",
                    aliases=("pendidikan terakhir", "tingkat pendidikan"),
                    codes="pendidikan",
                    code_check="attribute",
                ),
                KODE_OPD,
                Column("periode", aliases=("bulan", "periode laporan")),
            ),
            period_columns=("periode",),
            title="Daftar pegawai bulanan",
            produsen="BKPSDM",
            frekuensi="bulanan",
            period_sql="periode",
            key=("nip", "periode"),
            key_rule="PEG-005",
        ),
        Dataset(
            "formasi_jabatan",
            "kepegawaian",
            (
                Column("periode"),
                KODE_OPD,
                Column("nama_jabatan", aliases=("jabatan",)),
                Column("jenis_jabatan", codes="jenis_jabatan"),
                Column("eselon", required=False, codes="eselon", code_check="attribute"),
                Column("kebutuhan", "integer", aliases=("abk", "kebutuhan pegawai")),
                Column("terisi", "integer", aliases=("bezetting", "jumlah terisi")),
                Column("usulan_pengisian", "integer", aliases=("usulan",)),
            ),
            period_columns=("periode",),
            title="Formasi jabatan",
            produsen="BKPSDM",
            frekuensi="semesteran",
            period_sql="periode",
        ),
        Dataset(
            "pembayaran_penghasilan",
            "kepegawaian",
            (
                Column("periode"),
                KODE_OPD,
                Column("jenis_penghasilan", aliases=("jenis",), codes="jenis_penghasilan"),
                Column("jumlah_penerima", "integer", aliases=("penerima",)),
                Column("nilai_bruto", "numeric", aliases=("bruto", "jumlah bruto", "nilai (rp)")),
                Column("tanggal_jatuh_tempo", "date", aliases=("jatuh tempo",)),
                Column("tanggal_bayar", "date", required=False, aliases=("tgl bayar", "tanggal pembayaran")),
            ),
            period_columns=("periode",),
            title="Pembayaran penghasilan pegawai",
            produsen="BKPSDM",
            frekuensi="bulanan",
            period_sql="periode",
            key=("periode", "jenis_penghasilan"),
            key_rule="PAY-003",
        ),
        Dataset(
            "kinerja_pegawai",
            "kepegawaian",
            (
                Column("tahun", "integer"),
                Column("nip", aliases=("n i p",), pii=True),
                KODE_OPD,
                Column("predikat", aliases=("predikat kinerja", "predikat skp"), codes="predikat"),
            ),
            period_columns=("tahun",),
            title="Predikat kinerja pegawai (SKP)",
            produsen="BKPSDM",
            period_sql="tahun::text",
            key=("nip", "tahun"),
            key_rule="SKP-001",
        ),
        Dataset(
            "anggaran",
            "anggaran",
            (
                Column("tahun", "integer", aliases=("tahun anggaran", "ta")),
                Column("versi", aliases=("tahapan",), codes="versi"),
                # the date the tahapan took effect (Perkada penjabaran / DPPA); pagu in force per month
                Column("tanggal_berlaku", "date", required=False, aliases=("tgl berlaku", "tanggal penetapan")),
                KODE_OPD,
                Column("kode_sub_kegiatan", aliases=("kode subkegiatan", "kode sub kegiatan")),
                Column("nama_sub_kegiatan", required=False, aliases=("sub kegiatan", "nama subkegiatan")),
                Column("kode_rekening", aliases=("kode akun", "kode rek")),
                Column("uraian_rekening", required=False, aliases=("uraian", "nama rekening")),
                Column("pagu", "numeric", aliases=("pagu anggaran", "anggaran", "nilai pagu")),
                Column("sumber_dana", required=False),
                Column(
                    "tagging", required=False, aliases=("tag", "tagging prioritas"), codes="tagging", code_check="tags"
                ),
            ),
            period_columns=("tahun", "versi"),
            title="Anggaran (DPA) per sub kegiatan dan rekening",
            produsen="BPKAD",
            period_sql="tahun::text",
        ),
        Dataset(
            "realisasi_belanja",
            "anggaran",
            (
                Column("tahun", "integer", aliases=("tahun anggaran", "ta")),
                Column("nomor_sp2d", aliases=("no sp2d", "nomor sp2d")),
                Column("tanggal_sp2d", "date", aliases=("tgl sp2d",)),
                # UP, GU, TU, LS; from the SP2D number (.../LS/...) when the file has no column
                Column("jenis_sp2d", required=False, aliases=("jenis sp2d", "jenis"), codes="jenis_sp2d"),
                KODE_OPD,
                Column("kode_sub_kegiatan", aliases=("kode subkegiatan", "kode sub kegiatan")),
                Column("kode_rekening", aliases=("kode akun", "kode rek")),
                Column("nilai", "numeric", aliases=("realisasi", "realisasi (rp)", "nilai sp2d", "jumlah")),
            ),
            # by the month paid: OPDs send a file per semester or quarter, and a correction of a
            # month must not wipe the other months of the year
            period_columns=("tanggal_sp2d",),
            title="Realisasi belanja (SP2D)",
            produsen="BPKAD",
            period_sql="to_char(tanggal_sp2d, 'YYYY-MM')",
        ),
        Dataset(
            "pendapatan",
            "anggaran",
            (
                Column("tahun", "integer"),
                Column("bulan", "integer"),
                KODE_OPD,
                Column("kode_rekening", aliases=("kode akun", "kode rek")),
                Column("target", "numeric", aliases=("target (rp)", "anggaran")),
                Column("realisasi", "numeric", aliases=("realisasi (rp)",)),
            ),
            period_columns=("tahun", "bulan"),
            title="Target dan realisasi pendapatan",
            produsen="BAPENDA",
            frekuensi="bulanan",
            period_sql="tahun::text || '-' || lpad(bulan::text, 2, '0')",
        ),
        Dataset(
            "lra",
            "anggaran",
            (
                Column("tahun", "integer"),
                Column("akun", aliases=("uraian", "nama akun")),
                Column("anggaran", "numeric"),
                Column("realisasi", "numeric"),
                Column("persentase", "numeric", required=False, aliases=("%", "persen")),
                # depth of the account line, 0 = top (DJPK shows it by leading spaces: profile djpk_lra)
                Column("level", "integer", required=False, aliases=("tingkat",)),
            ),
            period_columns=("tahun",),
            title="Laporan Realisasi Anggaran pemda",
            produsen="BPKAD",
            period_sql="tahun::text",
        ),
        Dataset(
            "anggaran_kas",
            "anggaran",
            (
                Column("tahun", "integer", aliases=("tahun anggaran", "ta")),
                Column("versi", aliases=("tahapan",), codes="versi"),
                KODE_OPD,
                Column("kode_sub_kegiatan", aliases=("kode subkegiatan", "kode sub kegiatan")),
                Column("kode_rekening", aliases=("kode akun", "kode rek")),
                Column("bulan", "integer"),
                Column("rencana", "numeric", aliases=("anggaran kas", "rencana penarikan", "rencana penarikan dana")),
            ),
            # the plan of a tahapan replaces the earlier file of the same tahapan, as `anggaran` does
            period_columns=("tahun", "versi"),
            title="Anggaran kas (rencana penarikan dana bulanan)",
            produsen="BPKAD",
            period_sql="tahun::text",
        ),
        Dataset(
            "jenis_layanan",
            "pelayanan",
            (
                KODE_OPD,
                Column("kode_layanan"),
                Column("nama_layanan"),
                Column("waktu_penyelesaian_hari", "integer", aliases=("sla", "waktu penyelesaian")),
                Column("biaya", "numeric", required=False, aliases=("tarif",)),
                Column("dasar_hukum", required=False),
            ),
            period_columns=(),
            title="Standar pelayanan",
            produsen="Perangkat daerah penyelenggara layanan",
        ),
        Dataset(
            "permohonan_layanan",
            "pelayanan",
            (
                Column("nomor_permohonan", aliases=("no permohonan", "nomor registrasi")),
                KODE_OPD,
                Column("kode_layanan"),
                Column("tanggal_masuk", "date", aliases=("tgl masuk", "tanggal permohonan")),
                Column("tanggal_selesai", "date", required=False, aliases=("tgl selesai",)),
                Column("status", codes="status_permohonan"),
                Column("kanal", required=False, aliases=("channel", "media"), codes="kanal", code_check="attribute"),
            ),
            period_columns=("tanggal_masuk",),
            drop_columns=IDENTITY_COLUMNS,
            title="Permohonan layanan",
            produsen="Perangkat daerah penyelenggara layanan",
            frekuensi="bulanan",
            period_sql="to_char(tanggal_masuk, 'YYYY-MM')",
            key=("nomor_permohonan",),
            key_rule="LAY-003",
        ),
        Dataset(
            "survei_kepuasan",
            "pelayanan",
            (
                Column("tanggal", "date"),
                KODE_OPD,
                Column("kode_layanan"),
                *(Column(f"u{i}", "integer", aliases=(f"unsur {i}", f"u {i}")) for i in range(1, 10)),
                Column("jenis_kelamin", required=False, aliases=("jk",), codes="jenis_kelamin", code_check="attribute"),
                Column("pendidikan", required=False, codes="pendidikan", code_check="attribute"),
                Column("usia", "integer", required=False, aliases=("umur",)),
            ),
            period_columns=("tanggal",),
            drop_columns=IDENTITY_COLUMNS,
            title="Survei kepuasan masyarakat (SKM)",
            produsen="Perangkat daerah penyelenggara layanan",
            period_sql="to_char(tanggal, 'YYYY-MM')",
        ),
        Dataset(
            "capaian_spm",
            "pelayanan",
            (
                Column("tahun", "integer"),
                Column("bidang", codes="bidang_spm"),
                Column("kode_indikator", aliases=("indikator", "kode")),
                Column("sasaran", "integer", aliases=("target sasaran", "jumlah sasaran")),
                Column("terlayani", "integer", aliases=("jumlah terlayani", "capaian")),
            ),
            period_columns=("tahun",),
            title="Capaian Standar Pelayanan Minimal",
            produsen="Perangkat daerah pengampu SPM",
            period_sql="tahun::text",
        ),
        Dataset(
            "pengaduan",
            "pelayanan",
            (
                Column("nomor_tiket", aliases=("no tiket", "tiket")),
                Column("tanggal", "date"),
                KODE_OPD,
                Column("kategori"),
                Column("status"),
                Column("tanggal_tindak_lanjut", "date", required=False, aliases=("tgl tindak lanjut",)),
            ),
            period_columns=("tanggal",),
            drop_columns=IDENTITY_COLUMNS,
            title="Pengaduan masyarakat",
            produsen="Diskominfo",
            frekuensi="triwulanan",
            period_sql="to_char(tanggal, 'YYYY-MM')",
        ),
    ]
}


# columns every raw table carries in front of the dataset's own columns
RAW_META_COLUMNS: dict[str, str] = {
    "_file_id": "bigint not null",  # audit.source_file.file_id
    "_sheet": "text",  # sheet name for xlsx, null for csv
    "_row_number": "integer not null",  # the row as the submitter sees it (Excel row / CSV line)
    "_kode_pemda": "text not null",  # from the landing folder
    "_opd_folder": "text not null",  # singkatan of the OPD from the landing folder
    "_period": "text",  # the row's period key (see Dataset.period_columns); a corrected file replaces it
}

SQL_TYPES: dict[ColumnType, str] = {
    "text": "text",
    "integer": "bigint",
    "numeric": "numeric",
    "date": "date",
}


def raw_table_ddl(dataset: Dataset, schema: str = "raw") -> str:
    """CREATE TABLE statement for the raw table of a dataset."""
    cols = [f"{name} {sql}" for name, sql in RAW_META_COLUMNS.items()]
    cols += [f"{c.name} {SQL_TYPES[c.type]}" for c in dataset.columns]
    return f"create table if not exists {schema}.{dataset.name} (\n  " + ",\n  ".join(cols) + "\n)"
