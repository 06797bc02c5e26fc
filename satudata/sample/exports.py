"""A share of each pemda's files in the layouts of real exports (issue #13): the same canonical rows the
domain generators write, turned into the layout of an export profile (satudata/extract/profiles/), so
`make run` and the tests read those layouts every time.

How: `Output.open` hands every file of `anggaran`, `realisasi_belanja`, `survei_kepuasan`, `lra` and `pegawai` to
:func:`wrap`, which buffers its rows. At close, the file is written in an export layout when it suits one
(see each layout's `fits`) and that layout's turn has come (a per-pemda rotation with a random start:
`PERIOD` files apart), else in the standard's columns exactly as before. Layouts:

- `sipd_register_sp2d` (.xlsx): realisasi as a SIPD register: title with SKPD and tahun anggaran, SP2D
  columns merged down over one row per rekening (payments of one day, one sub kegiatan and one jenis are
  one SP2D), SPM number and date, Nilai SP2D and Potongan, wide SIPD-RI kode rekening, a UP SP2D (no
  rekening) and an SPM not yet paid (both set aside), a JUMLAH row.
- `sipd_realisasi` (.csv): realisasi as the SIPD-RI export: `;`, UTF-8 BOM, d/m/Y, no tahun column (so
  only files without a payment dated after the year: the year comes from the date), both widths of kode
  rekening, jenis sometimes blank.
- `sipd_rincian_belanja` (.xlsx): a PERUBAHAN anggaran as the DPPA "Rincian Belanja" print: a block per
  sub kegiatan x sumber dana with its header rows, the account rows of levels 1-5 with the sums of their
  lines before and after the change, the six-level line, its `[#]` paket, `[-]` keterangan and komponen rows
  (koefisien x harga adding up to the line), JUMLAH TOTAL and a signature. Only OPDs whose lines carry no
  tagging (the print has no column for it).
- `sipd_rekap_apbd` (.xlsx): a MURNI anggaran as the SIPD-RI Rekap Penetapan APBD: one row per komponen
  (a line of the standard is one or two komponen rows whose pagu add up to it), SIPD-RI field names,
  wide kode rekening, TOTAL.
- `eskm_huruf_p` (.xls, BIFF8): an SKM file as an e-SKM "Data Responden": answers as letters a-d (a
  1-5 scale answer 5 as `e`), P8 sarana before P9 pengaduan, service by name, age as a range, education
  as a bucket, JUMLAH, signature, a "Rekap NRR" sheet. Files of at most `XLS_MAX_ROWS` respondents.
- `eskm_label_pertanyaan` (.xls, an HTML table): answers as the PermenPAN-RB 14/2017 labels of each unsur
  (5 as "Sangat tidak puas"), a two-row header, the time of filling in, a note row under the table.
- `djpk_lra` (.csv): the pemda LRA as the DJPK portal's Realisasi APBD: no tahun column (`LRA 2024.csv`),
  hierarchy by leading spaces, amounts in M / J, one line given twice (a scrape); only an LRA written with
  units (no rounding is added).
- `siasn_data_asn` (.csv, `|`): a month's roster with no NON_ASN (a non-ASN has no SIASN record; a companion
  file of the same month would replace it in the loader) as the SIASN "Data ASN" download: full column
  list, NAMA without degrees, d-m-Y, M/F, P/C (blank for a PPPK, KEDUDUKAN HUKUM `PPPK Aktif`), BKN ids, the
  OPD's own name as UNOR (the crosswalk resolves it to the folder's OPD), no eselon, the month in the file
  name; half the files keep one retired person (`Pensiun`, set aside).
- `simpeg_rekap` (.xlsx): a month's roster as a SIMPEG-daerah Daftar Nominatif: title with the snapshot date
  (the month's last day), two-row header, a numbering row, spaced NIP, pangkat names, a non-ASN by its kind
  in STATUS PEGAWAI, signature block (set aside).

The planted errors stay errors the row rules catch: nilai 0 or negative stays so, a payment dated in the
next year keeps the tahun anggaran of the register's title, an answer 5 becomes `e` / a label of no unsur,
a NIP of 17 digits or with month 13 and a PPPK with a PNS golongan are written as they are.

The canonical twin: for every file written in an export layout, `<landing>/../sample_truth/<relative path>.csv`
(outside the landing folder: discovery never sees it) holds what the export carries in the standard's
columns: `_baris` (the export's row number), `_disisihkan` (1 for a row the profile sets aside: a parent
account, a komponen, a UP SP2D, a JUMLAH row...) and the canonical columns, so tests can recompute figures
without reading export layouts (tests/integration/sample_files.py).
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from satudata.sample.biff import Cell, write_xls
from satudata.sample.files import BULAN, SubmissionFile, rng_for
from satudata.sample.opd_template import Opd, title_name
from satudata.sample.reference import Pemda, load_reference
from satudata.sample.xlsx import STYLE_BOLD, XlsxSheet

TWIN_DIR = "sample_truth"
LAYOUTS = {  # dataset -> the layouts its files may take, in the order they are offered a file
    "realisasi_belanja": ("sipd_register_sp2d", "sipd_realisasi"),
    "anggaran": ("sipd_rincian_belanja", "sipd_rekap_apbd"),
    "survei_kepuasan": ("eskm_huruf_p", "eskm_label_pertanyaan"),
    "lra": ("djpk_lra",),
    "pegawai": ("siasn_data_asn", "simpeg_rekap"),
}
PERIOD = {  # a layout takes every PERIOD-th file that fits it (after a random start of 0-2 files)
    "sipd_register_sp2d": 15, "sipd_realisasi": 15, "sipd_rincian_belanja": 10, "sipd_rekap_apbd": 10,
    "eskm_huruf_p": 8, "eskm_label_pertanyaan": 8, "djpk_lra": 1, "siasn_data_asn": 6, "simpeg_rekap": 6,
}  # fmt: skip
START = {"djpk_lra": 1}  # the random start is 0-2 files, 0-1 for the one LRA file of a pemda
XLS_MAX_ROWS = 120  # the BIFF writer's one-sector FAT holds about 64 KB


def twin_path(landing: Path, path: Path) -> Path:
    """Where the canonical twin of the landing file `path` is written."""
    return landing.parent / TWIN_DIR / f"{path.relative_to(landing).as_posix()}.csv"


def clear_twins(landing: Path, kode_pemda: str) -> None:
    """Remove a pemda's twins of an earlier run (a file written in the standard layout now has none)."""
    folder = landing.parent / TWIN_DIR / kode_pemda
    if folder.exists():
        shutil.rmtree(folder)


# ---- the hook ---------------------------------------------------------------------------------


class _Rotation:
    """Per pemda: how many fitting files each layout still lets pass before it takes one."""

    def __init__(self, seed: int, kode_pemda: str) -> None:
        self.skip = {lay: rng_for(seed, "export-start", kode_pemda, lay).randint(0, START.get(lay, 2))
                     for lays in LAYOUTS.values() for lay in lays}  # fmt: skip
        self.murni: dict[str, dict[tuple[str, str], int]] = {}  # OPD -> (sub kegiatan, rekening) -> pagu MURNI

    def take(self, layout: str) -> bool:
        if self.skip[layout] > 0:
            self.skip[layout] -= 1
            return False
        self.skip[layout] = PERIOD[layout] - 1
        return True


def wrap(out: Any, pemda: Pemda, opd: Opd, dataset: str, name: str, open_args: tuple) -> ExportFile | None:
    """The file to write through, when `dataset` is one an export layout may take (else None)."""
    if dataset not in LAYOUTS:
        return None
    rotation = getattr(out, "_exports", None)
    if rotation is None:
        rotation = out._exports = _Rotation(out.seed, pemda.kode_pemda)
    return ExportFile(out, rotation, pemda, opd, dataset, name, open_args)


class ExportFile:
    """Buffers a file's rows; at close writes it in an export layout or, as before, in the standard's."""

    def __init__(
        self, out: Any, rotation: _Rotation, pemda: Pemda, opd: Opd, dataset: str, name: str, open_args: tuple
    ) -> None:
        self.out, self.rotation, self.pemda, self.opd = out, rotation, pemda, opd
        self.dataset, self.name, self.open_args = dataset, name, open_args
        self.buffer: list[dict[str, Any]] = []
        self.rows = 0
        self.rng = rng_for(out.seed, "export", pemda.kode_pemda, opd.singkatan, dataset, name)

    def write(self, row: dict[str, Any]) -> None:
        self.buffer.append(dict(row))
        self.rows += 1

    def __enter__(self) -> ExportFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        rows = self.buffer
        if self.dataset == "anggaran" and rows and rows[0].get("versi") == "MURNI":
            self.rotation.murni[self.opd.singkatan] = {(r["kode_sub_kegiatan"], r["kode_rekening"]): r["pagu"]
                                                       for r in rows}  # fmt: skip
        for layout in LAYOUTS[self.dataset]:
            if rows and FITS[layout](self, rows) and self.rotation.take(layout):
                path, fmt, grid = WRITERS[layout](self, rows)
                self.out.files[self.dataset] += 1
                self.out.formats[fmt] += 1
                _write_twin(self.out.landing, path, self.dataset, grid)
                return
        f = SubmissionFile(*self.open_args)
        for row in rows:
            f.write(row)
        f.close()
        self.out.files[self.dataset] += 1
        self.out.formats[f.style.fmt] += 1

    # helpers
    def path(self, ext: str, name: str | None = None) -> Path:
        folder = self.out.landing / self.pemda.kode_pemda / self.opd.singkatan / self.dataset
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{name or self.name}.{ext}"

    @property
    def tahun(self) -> int:
        return self.out.tahun

    @property
    def nama_pemda(self) -> str:
        return title_name(self.pemda.nama_pemda)


# a twin row: (export row number, set aside?, canonical values)
Twin = list[tuple[int, bool, dict[str, Any]]]
TWIN_COLUMNS = {
    "realisasi_belanja": ("tahun", "nomor_sp2d", "tanggal_sp2d", "jenis_sp2d", "kode_opd", "kode_sub_kegiatan",
                          "kode_rekening", "nilai"),
    "anggaran": ("tahun", "versi", "kode_opd", "kode_sub_kegiatan", "nama_sub_kegiatan", "kode_rekening",
                 "uraian_rekening", "pagu", "sumber_dana"),
    "survei_kepuasan": ("tanggal", "kode_layanan", *(f"u{i}" for i in range(1, 10)), "jenis_kelamin", "pendidikan",
                        "usia"),
    "lra": ("tahun", "akun", "anggaran", "realisasi", "persentase", "level"),
    "pegawai": ("nip", "nama", "jenis_kelamin", "tanggal_lahir", "status_kepegawaian", "jenis_non_asn", "golongan",
                "jenis_jabatan", "eselon", "nama_jabatan", "pendidikan", "kode_opd", "periode"),
}  # fmt: skip


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_twin(landing: Path, path: Path, dataset: str, twin: Twin) -> None:
    target = twin_path(landing, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    columns = TWIN_COLUMNS[dataset]
    with open(target, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["_baris", "_disisihkan", *columns])
        for number, aside, values in twin:
            w.writerow([number, "1" if aside else "", *(_plain(values.get(c)) for c in columns)])


# ---- shared formatting --------------------------------------------------------------------------


def wide(code: str) -> str:
    """A chart code as SIPD-RI writes it (5.1.02.01.01.0024 -> 5.1.02.01.001.00024)."""
    parts = code.split(".")
    if len(parts) >= 5:
        parts[4] = parts[4].zfill(3)
    if len(parts) == 6:
        parts[5] = parts[5].zfill(5)
    return ".".join(parts)


def rp(amount: int | Decimal) -> str:
    """``Rp. 1.234.567`` and ``Rp. (1.234.567)`` as the SIPD prints write them."""
    text = f"{abs(int(amount)):,}".replace(",", ".")
    return f"Rp. ({text})" if amount < 0 else f"Rp. {text}"


def ribuan(amount: int | Decimal) -> str:
    """``98.000.000`` (SIPD-RI CSV), ``-1.234`` for a negative."""
    text = f"{abs(int(amount)):,}".replace(",", ".")
    return f"-{text}" if amount < 0 else text


def _jenis(nomor: str) -> str:
    return nomor.split("/")[3]


def _komponen(rng: Any, pagu: int) -> list[tuple[str, int, str, int]]:
    """A line's komponen (uraian, volume, satuan, harga) whose volume x harga add up to `pagu`."""
    if pagu <= 0:
        return [("Belanja sesuai kebutuhan", 1, "Paket", pagu)]
    vol = rng.choice((2, 4, 5, 10, 12, 20))
    harga = (pagu * rng.uniform(0.15, 0.45) / vol) // 1000 * 1000
    if harga <= 0 or pagu - vol * harga <= 0:
        return [("Belanja sesuai kebutuhan", 1, "Paket", pagu)]
    item = rng.choice((("Konsumsi kegiatan", "Kotak"), ("Bahan habis pakai", "Buah"), ("Jasa tenaga pendukung", "OH"),
                       ("Perjalanan dinas dalam daerah", "OH"), ("Cetak dan penggandaan", "Lembar")))  # fmt: skip
    return [(item[0], vol, item[1], int(harga)), ("Belanja sesuai kebutuhan", 1, "Paket", pagu - vol * int(harga))]


# ---- realisasi: SIPD register SP2D ---------------------------------------------------------------


def _fits_register(ef: ExportFile, rows: list[dict]) -> bool:
    return all(r.get("nomor_sp2d") and r.get("kode_rekening") for r in rows)


def _sp2ds(rows: list[dict], tahun: int) -> list[list[dict]]:
    """Payments of one day, sub kegiatan and jenis as one SP2D (up to four rekening); a spoiled payment
    (nilai 0 or below, dated after the year) stays an SP2D of its own."""
    groups: list[list[dict]] = []
    for r in rows:
        ok = r["nilai"] > 0 and r["tanggal_sp2d"].year == tahun
        last = groups[-1] if groups else None
        if (
            ok
            and last
            and last[0].get("_ok")
            and last[0]["tanggal_sp2d"] == r["tanggal_sp2d"]
            and last[0]["kode_sub_kegiatan"] == r["kode_sub_kegiatan"]
            and _jenis(last[0]["nomor_sp2d"]) == _jenis(r["nomor_sp2d"])
            and len(last) < 4
            and r["kode_rekening"] not in {x["kode_rekening"] for x in last}
        ):
            last.append(r)
        else:
            groups.append([{**r, "_ok": ok}])
    return groups


def _write_register(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    ref, opd, t, rng = load_reference(), ef.opd, ef.tahun, ef.rng
    ws = XlsxSheet("Register SP2D")
    width = 13
    for line in (
        "REGISTER SP2D",
        f"PEMERINTAH {ef.nama_pemda.upper()}",
        f"SKPD : {opd.kode_opd} - {opd.nama_opd}",
        f"TAHUN ANGGARAN {t}",
    ):
        ws.append([line], [STYLE_BOLD])
        ws.merge(ws.row_count, 1, ws.row_count, width)
    ws.append([])
    ws.append(
        [
            "No",
            "Nomor SPM",
            "Tanggal SPM",
            "Nomor SP2D",
            "Tanggal SP2D",
            "Jenis SP2D",
            "Keterangan",
            "Nilai SP2D",
            "Potongan",
            "Kode Sub Kegiatan",
            "Kode Rekening",
            "Uraian Rekening",
            "Jumlah",
        ],
        [STYLE_BOLD] * width,
    )
    twin: Twin = []
    grand = 0
    months = {r["tanggal_sp2d"].month for r in rows if r["tanggal_sp2d"].year == t}
    prefix = f"{ef.pemda.kode_pemda}/{{}}/{{:06d}}/{{}}/{opd.kode_opd}/M/{{}}/{t}"
    sp2ds: list[tuple[str | None, date, str | None, list[dict], str]] = []  # spm no, date, jenis, lines, ket
    if 1 in months:  # the year's Uang Persediaan: paid to the bendahara, no rekening
        first = min(r["tanggal_sp2d"] for r in rows if r["tanggal_sp2d"].year == t)
        up = int(rng.uniform(20, 80)) * 1_000_000
        sp2ds.append(
            (
                "UP",
                first,
                "UP",
                [
                    {
                        "nomor_sp2d": prefix.format("04.0", 0, "UP", 1),
                        "tanggal_sp2d": first,
                        "kode_sub_kegiatan": None,
                        "kode_rekening": None,
                        "nilai": up,
                    }
                ],
                f"Uang Persediaan TA {t}",
            )
        )
    shown: str | None  # the SP2D's jenis as the export shows it (None: blank)
    for group in _sp2ds(rows, t):
        jenis = _jenis(group[0]["nomor_sp2d"])
        gaji = all(x["kode_rekening"].startswith("5.1.01") for x in group)
        shown = {"LS": "LS Gaji" if gaji else "LS", "GU": "" if rng.random() < 0.3 else "GU"}.get(jenis, jenis)
        ket = (
            "Gaji dan tunjangan ASN"
            if gaji
            else f"{'Ganti uang persediaan' if jenis == 'GU' else 'Pembayaran'} "
            f"{(ref.sub_kegiatan.get(group[0]['kode_sub_kegiatan']) or '').lower()}"
        ).strip()
        sp2ds.append((None, group[0]["tanggal_sp2d"], shown or None, group, ket))
    if 12 in months and rows[-1]["nilai"] > 0:  # an SPM of the year's end not yet paid: no SP2D
        last = rows[-1]
        sp2ds.append(("SPM", last["tanggal_sp2d"], "LS", [{**last, "nomor_sp2d": None}], "SPM belum terbit SP2D"))
    for n, (kind, day, shown, group, ket) in enumerate(sp2ds, start=1):
        nomor = group[0]["nomor_sp2d"]
        spm_no = (nomor or prefix.format("04.0", 999_000 + n, "LS", day.month)).replace("/04.0/", "/02.0/")
        spm_day = day - timedelta(days=1 if day.weekday() else 3)
        nilai = sum(x["nilai"] for x in group)
        potongan = (
            int(nilai * 0.1) // 1000 * 1000
            if shown == "LS Gaji"
            else (int(nilai * 0.115) // 1000 * 1000 if shown == "LS" and nilai > 0 else 0)
        )
        top = ws.row_count + 1
        for i, x in enumerate(group):
            head = [n, spm_no, spm_day, nomor, day if nomor else None, shown, ket, nilai if nomor else None, potongan]
            rek = x["kode_rekening"]
            ws.append(
                [
                    *(head if i == 0 else [None] * 9),
                    x["kode_sub_kegiatan"],
                    wide(rek) if rek else None,
                    ref.rekening.get(rek, ("", 0))[0] if rek else None,
                    x["nilai"],
                ]
            )
            grand += x["nilai"]
            aside = kind is not None
            twin.append(
                (
                    ws.row_count,
                    aside,
                    {
                        "tahun": t,
                        "nomor_sp2d": nomor,
                        "tanggal_sp2d": x["tanggal_sp2d"] if nomor else None,
                        "jenis_sp2d": _jenis(nomor) if nomor else None,
                        "kode_opd": opd.kode_opd,
                        "kode_sub_kegiatan": x["kode_sub_kegiatan"],
                        "kode_rekening": rek,
                        "nilai": x["nilai"],
                    },
                )
            )
        if ws.row_count > top:
            for col in range(1, 10):
                ws.merge(top, col, ws.row_count, col)
    ws.append([None, None, None, None, None, None, "JUMLAH", None, None, None, None, None, grand])
    twin.append((ws.row_count, True, {}))
    path = ef.path("xlsx")
    ws.save(path)
    return path, "xlsx", twin


# ---- realisasi: SIPD-RI CSV ----------------------------------------------------------------------


def _fits_sipd_ri(ef: ExportFile, rows: list[dict]) -> bool:
    # no tahun column: a payment dated after the year would be read as that year's, not as an error
    return all(r["tanggal_sp2d"].year == r["tahun"] == ef.tahun for r in rows)


def _write_sipd_ri(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    ref, opd, rng = load_reference(), ef.opd, ef.rng
    header = [
        "kode_skpd",
        "nama_skpd",
        "kode_sub_giat",
        "nama_sub_giat",
        "kode_akun",
        "nama_akun",
        "nomor_sp_2_d",
        "tanggal_sp_2_d",
        "jenis_sp_2_d",
        "nilai_realisasi",
    ]
    lines = [header]
    twin: Twin = []
    for r in rows:
        rek, jenis = r["kode_rekening"], _jenis(r["nomor_sp2d"])
        d = r["tanggal_sp2d"]
        lines.append(
            [
                opd.kode_opd,
                opd.nama_opd,
                r["kode_sub_kegiatan"],
                ref.sub_kegiatan.get(r["kode_sub_kegiatan"], ""),
                wide(rek) if rng.random() < 0.7 else rek,
                ref.rekening.get(rek, ("", 0))[0],
                r["nomor_sp2d"],
                f"{d.day:02d}/{d.month:02d}/{d.year}",
                "" if rng.random() < 0.15 else jenis,
                ribuan(r["nilai"]),
            ]
        )
        twin.append(
            (
                len(lines),
                False,
                {
                    **{k: r[k] for k in ("nomor_sp2d", "tanggal_sp2d", "kode_sub_kegiatan", "kode_rekening", "nilai")},
                    "tahun": d.year,
                    "jenis_sp2d": jenis,
                    "kode_opd": opd.kode_opd,
                },
            )
        )
    text = "".join(";".join(x.replace(";", ",") for x in line) + "\r\n" for line in lines)
    path = ef.path("csv")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path, "csv", twin


# ---- anggaran: DPPA Rincian Belanja print ----------------------------------------------------------


def _fits_rincian(ef: ExportFile, rows: list[dict]) -> bool:
    return (
        rows[0].get("versi") == "PERUBAHAN"
        and ef.opd.singkatan in ef.rotation.murni
        and not any(r.get("tagging") for r in rows)
        and all(str(r["kode_rekening"]).count(".") == 5 for r in rows)
    )


def _write_rincian(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    ref, opd, t, rng = load_reference(), ef.opd, ef.tahun, ef.rng
    murni = ef.rotation.murni[opd.singkatan]
    ws = XlsxSheet("Rincian Belanja")
    width = 13
    for line in (
        "DOKUMEN PELAKSANAAN PERUBAHAN ANGGARAN",
        "SATUAN KERJA PERANGKAT DAERAH (DPPA-SKPD)",
        "RINCIAN BELANJA",
        f"PEMERINTAH {ef.nama_pemda.upper()}",
        f"TAHUN ANGGARAN {t}",
        f"Organisasi : {opd.kode_opd} - {opd.nama_opd}",
    ):
        ws.append([line], [STYLE_BOLD])
        ws.merge(ws.row_count, 1, ws.row_count, width)
    ws.append([])
    bold = [STYLE_BOLD] * width
    ws.append(
        [
            "Kode Rekening",
            "Uraian",
            "Sebelum Perubahan",
            None,
            None,
            None,
            None,
            "Setelah Perubahan",
            None,
            None,
            None,
            None,
            "Bertambah/(Berkurang)",
        ],
        bold,
    )
    ws.append(
        [
            None,
            None,
            "Koefisien",
            "Satuan",
            "Harga",
            "PPN",
            "Jumlah",
            "Koefisien",
            "Satuan",
            "Harga",
            "PPN",
            "Jumlah",
            None,
        ],
        bold,
    )
    top = ws.row_count - 1
    ws.merge(top, 1, top + 1, 1)
    ws.merge(top, 2, top + 1, 2)
    ws.merge(top, 3, top, 7)
    ws.merge(top, 8, top, 12)
    ws.merge(top, 13, top + 1, 13)
    twin: Twin = []

    def amounts(before: int, after: int) -> list[object]:
        return [None, None, None, None, rp(before), None, None, None, None, rp(after), rp(after - before)]

    def aside(values: list[object]) -> None:
        ws.append(values)
        twin.append((ws.row_count, True, {}))

    blocks: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in rows:
        blocks[(r["kode_sub_kegiatan"], r["sumber_dana"])].append(r)
    grand = [0, 0]
    for (sub, sumber), lines in sorted(blocks.items()):
        lines.sort(key=lambda r: r["kode_rekening"])
        nama_sub = ref.sub_kegiatan.get(sub)
        aside([f"Sub Kegiatan : {sub} - {nama_sub}" if nama_sub else f"Sub Kegiatan : {sub}"])
        ws.merge(ws.row_count, 1, ws.row_count, width)
        aside([f"Sumber Pendanaan : {sumber}"])
        ws.merge(ws.row_count, 1, ws.row_count, width)
        sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in lines:
            before = murni.get((sub, r["kode_rekening"]), 0) or 0
            parts = r["kode_rekening"].split(".")
            for k in range(1, 6):
                s = sums[".".join(parts[:k])]
                s[0] += before
                s[1] += r["pagu"]
        opened: set[str] = set()
        for r in lines:
            rek, pagu = r["kode_rekening"], r["pagu"]
            before = murni.get((sub, rek), 0) or 0
            parts = rek.split(".")
            for k in range(1, 6):
                parent = ".".join(parts[:k])
                if parent not in opened:
                    opened.add(parent)
                    uraian = ref.rekening.get(parent, (f"Rekening {parent}", k))[0] or f"Rekening {parent}"
                    aside([wide(parent), uraian, *amounts(*sums[parent])])
            uraian = ref.rekening.get(rek, ("", 0))[0]
            ws.append([wide(rek), uraian, *amounts(before, pagu)])
            twin.append(
                (
                    ws.row_count,
                    False,
                    {
                        "tahun": t,
                        "versi": "PERUBAHAN",
                        "kode_opd": opd.kode_opd,
                        "kode_sub_kegiatan": sub,
                        "nama_sub_kegiatan": nama_sub,
                        "kode_rekening": rek,
                        "uraian_rekening": uraian or None,
                        "pagu": pagu,
                        "sumber_dana": sumber,
                    },
                )
            )
            aside([None, f"[#] {uraian or 'Paket'} {opd.singkatan}", *amounts(before, pagu)])
            if rng.random() < 0.5:
                aside([None, "[-] Kebutuhan satu tahun anggaran", *amounts(before, pagu)])
            after_k = _komponen(rng, pagu)
            fixed = after_k[0] if len(after_k) == 2 else None
            for j, (nama, vol, satuan, harga) in enumerate(after_k):
                kept = fixed is not None and fixed[1] * fixed[3] <= before  # the komponen was there before
                if fixed is not None and j == 0:
                    vol0, harga0 = (vol if kept else 0), harga
                else:
                    vol0, harga0 = 1, before - (fixed[1] * fixed[3] if fixed is not None and kept else 0)
                aside(
                    [
                        None,
                        nama,
                        f"{vol0} {satuan}",
                        satuan,
                        rp(harga0),
                        "0",
                        rp(vol0 * harga0),
                        f"{vol} {satuan}",
                        satuan,
                        rp(harga),
                        "0",
                        rp(vol * harga),
                        rp(vol * harga - vol0 * harga0),
                    ]
                )
            grand[0] += before
            grand[1] += pagu
    ws.append(
        [
            None,
            "JUMLAH TOTAL",
            None,
            None,
            None,
            None,
            rp(grand[0]),
            None,
            None,
            None,
            None,
            rp(grand[1]),
            rp(grand[1] - grand[0]),
        ]
    )
    twin.append((ws.row_count, True, {}))
    ws.append([])
    for signed_line in (
        f"{ef.nama_pemda.removeprefix('Kota ').removeprefix('Kabupaten ')}, 20 Oktober {t}",
        f"Kepala {opd.nama_opd}",
        None,
        None,
        "(nama pejabat)",
        "NIP. .........................",
    ):
        ws.append([None] * 10 + [signed_line])
    path = ef.path("xlsx", f"DPPA_rincian_belanja_{t}")
    ws.save(path)
    return path, "xlsx", twin


# ---- anggaran: SIPD-RI Rekap Penetapan APBD -----------------------------------------------------------


def _fits_rekap(ef: ExportFile, rows: list[dict]) -> bool:
    return rows[0].get("versi") == "MURNI" and not any(r.get("tagging") for r in rows)


SUMBER_DANA_KODE = {"DAU": "1.2.01.01.01.0001", "PAD": "1.1.04.01.01.0001", "DAK Fisik": "1.2.01.01.02.0001",
                    "DAK Non Fisik - BOS": "1.2.01.01.03.0001", "BLUD": "1.1.04.16.01.0001"}  # fmt: skip


def _write_rekap(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    ref, opd, t, rng = load_reference(), ef.opd, ef.tahun, ef.rng
    header = [
        "kode_daerah",
        "nama_daerah",
        "tahun",
        "kode_skpd",
        "nama_skpd",
        "kode_sub_kegiatan",
        "nama_sub_kegiatan",
        "kode_sumber_dana",
        "nama_sumber_dana",
        "kode_rekening",
        "nama_rekening",
        "kode_standar_harga",
        "nama_standar_harga",
        "spek",
        "koefisien",
        "satuan",
        "harga_satuan",
        "pagu",
    ]
    ws = XlsxSheet("Rekap APBD")
    ws.append([f"REKAP PENETAPAN APBD {ef.nama_pemda.upper()} TAHUN ANGGARAN {t}"], [STYLE_BOLD])
    ws.merge(1, 1, 1, len(header))
    ws.append([])
    ws.append(header, [STYLE_BOLD] * len(header))
    twin: Twin = []
    total = 0
    for r in rows:
        sub, rek, sumber = r["kode_sub_kegiatan"], r["kode_rekening"], r["sumber_dana"]
        uraian = ref.rekening.get(rek, ("", 0))[0]
        for n, (nama, vol, satuan, harga) in enumerate(_komponen(rng, r["pagu"]), start=1):
            ws.append(
                [
                    ef.pemda.kode_pemda,
                    ef.nama_pemda,
                    t,
                    opd.kode_opd,
                    opd.nama_opd,
                    sub,
                    ref.sub_kegiatan.get(sub),
                    SUMBER_DANA_KODE.get(sumber, "1.2.01.01.01.0001"),
                    sumber,
                    wide(rek),
                    uraian,
                    f"{rek}.{n:05d}"[:24],
                    nama,
                    "-",
                    f"{vol} {satuan}",
                    satuan,
                    harga,
                    vol * harga,
                ]
            )
            total += vol * harga
            twin.append(
                (
                    ws.row_count,
                    False,
                    {
                        "tahun": t,
                        "versi": "MURNI",
                        "kode_opd": opd.kode_opd,
                        "kode_sub_kegiatan": sub,
                        "nama_sub_kegiatan": ref.sub_kegiatan.get(sub),
                        "kode_rekening": rek,
                        "uraian_rekening": uraian or None,
                        "pagu": vol * harga,
                        "sumber_dana": sumber,
                    },
                )
            )
    ws.append(["TOTAL", *[None] * (len(header) - 2), total])
    twin.append((ws.row_count, True, {}))
    path = ef.path("xlsx", f"rekap_penetapan_apbd_{t}")
    ws.save(path)
    return path, "xlsx", twin


# ---- survei_kepuasan: e-SKM exports --------------------------------------------------------------------


def _names(opd: Opd) -> dict[str, str]:
    from satudata.sample.layanan import LAYANAN  # the services of the sample (read only)

    return {s[0]: s[1] for s in LAYANAN.get(opd.singkatan, ())}


def _fits_eskm(ef: ExportFile, rows: list[dict], max_rows: int | None = None) -> bool:
    names = _names(ef.opd)
    return (max_rows is None or len(rows) <= max_rows) and all(r["kode_layanan"] in names for r in rows)


USIA_RENTANG = (
    (20, "< 20 tahun", 19),
    (25, "20-24 tahun", 20),
    (35, "25-34 tahun", 25),
    (45, "35-44 tahun", 35),
    (55, "45-54 tahun", 45),
    (999, "55 tahun ke atas", 55),
)  # (below, text, value read back)
PENDIDIKAN_KELOMPOK = {"SD": "SD/Sederajat", "SMP": "SMP/Sederajat", "SMA": "SMA/SMK/Sederajat", "D3": "D3",
                       "S1": "S1", "S2": "S2 ke atas"}  # fmt: skip
PEKERJAAN = ("PNS", "Karyawan Swasta", "Wiraswasta", "Pelajar/Mahasiswa", "Ibu Rumah Tangga", "Petani", "Lainnya")


def _usia(age: int) -> tuple[str, int]:
    text, value = next((text, value) for below, text, value in USIA_RENTANG if age < below)
    return text, value


def _periode(rows: list[dict]) -> str:
    months = sorted({r["tanggal"].month for r in rows})
    return f"{BULAN[months[0] - 1]} - {BULAN[months[-1] - 1]} {rows[0]['tanggal'].year}"


def _write_huruf(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    names, rng = _names(ef.opd), ef.rng
    header: list[Cell] = [
        "No",
        "Tanggal",
        "Jenis Layanan",
        "Jenis Kelamin",
        "Umur",
        "Pendidikan",
        "Pekerjaan",
        *[f"P{i}" for i in range(1, 10)],
        "Saran",
    ]
    grid: list[list[Cell]] = [
        ["REKAPITULASI DATA RESPONDEN SURVEI KEPUASAN MASYARAKAT"],
        [ef.opd.nama_opd.upper()],
        [f"Periode: {_periode(rows)}"],
        [],
        header,
    ]
    twin: Twin = []
    for no, r in enumerate(sorted(rows, key=lambda r: r["tanggal"]), start=1):
        scores = [r[f"u{i}"] for i in range(1, 10)]
        letters = ["abcde"[s - 1] for s in scores]
        umur, usia = _usia(r["usia"])
        grid.append(
            [
                no,
                r["tanggal"],
                names[r["kode_layanan"]],
                r["jenis_kelamin"],
                umur,
                PENDIDIKAN_KELOMPOK[r["pendidikan"]],
                rng.choice(PEKERJAAN),
                *letters[:7],
                letters[8],
                letters[7],
                "Pelayanan perlu dipercepat" if rng.random() < 0.1 else None,
            ]
        )
        twin.append(
            (
                len(grid),
                False,
                {
                    "tanggal": r["tanggal"],
                    "kode_layanan": r["kode_layanan"],
                    **{f"u{i}": s if s <= 4 else "e" for i, s in enumerate(scores, start=1)},
                    "jenis_kelamin": r["jenis_kelamin"],
                    "pendidikan": r["pendidikan"],
                    "usia": usia,
                },
            )
        )
    grid.append(["JUMLAH", None, f"{len(rows)} responden"])
    twin.append((len(grid), True, {}))
    pad: list[Cell] = [None] * 11
    grid += [
        [],
        pad + [f"{title_name(ef.pemda.nama_pemda)}, {ef.tahun}"],
        pad + ["Kepala Perangkat Daerah"],
        pad + ["NIP. ........................."],
    ]
    rekap: list[list[Cell]] = [["REKAP NILAI RATA-RATA PER UNSUR"], ["Unsur", "NRR", "NRR Tertimbang"]]
    for i in range(1, 10):
        ok = [r[f"u{i if i < 8 else 17 - i}"] for r in rows if r[f"u{i if i < 8 else 17 - i}"] <= 4]
        nrr = round(sum(ok) / len(ok), 3) if ok else 0
        rekap.append([f"P{i}", nrr, round(nrr / 9, 3)])
    width = len(header) - 1
    path = ef.path("xls", f"data_responden_skm_{ef.name.rsplit('_', 1)[-1]}")
    write_xls(
        path,
        [
            ("Data Responden", grid, [(0, 0, 0, width), (1, 1, 0, width), (2, 2, 0, width)], False),
            ("Rekap NRR", rekap, [], False),
        ],
    )
    return path, "xls", twin


def _label(unsur: str, score: int) -> str:
    from satudata.extract.profiles.steps_pelayanan import JAWABAN  # the questionnaire's labels

    if score > 4:
        return "Sangat tidak puas"  # a 1-5 scale app's answer: no label of the 1-4 questionnaire
    return JAWABAN[unsur][score - 1].capitalize()


JK_LABEL = {"L": "Laki-laki", "P": "Perempuan"}
PENDIDIKAN_LABEL = {"SD": "SD", "SMP": "SLTP/Sederajat", "SMA": "SLTA/Sederajat", "D3": "Diploma III", "S1": "S1",
                    "S2": "S2"}  # fmt: skip


def _write_label(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    names, rng = _names(ef.opd), ef.rng
    head = (
        "<tr><th rowspan='2'>No</th><th rowspan='2'>Waktu Pengisian</th><th rowspan='2'>Layanan</th>"
        "<th rowspan='2'>Umur</th><th rowspan='2'>Jenis Kelamin</th><th rowspan='2'>Pendidikan Terakhir</th>"
        "<th colspan='9'>Jawaban</th><th rowspan='2'>Kritik &amp; Saran</th></tr>\n<tr>"
        + "".join(f"<th>Pertanyaan {i}</th>" for i in range(1, 10))
        + "</tr>\n"
    )
    body, twin = [], []
    for no, r in enumerate(sorted(rows, key=lambda r: r["tanggal"]), start=1):
        moment = datetime.combine(r["tanggal"], datetime.min.time()) + timedelta(
            seconds=rng.randint(7 * 3600 + 30 * 60, 15 * 3600)
        )
        scores = [r[f"u{i}"] for i in range(1, 10)]
        cells = [
            str(no),
            f"{moment:%Y-%m-%d %H:%M:%S}",
            names[r["kode_layanan"]],
            str(r["usia"]),
            JK_LABEL[r["jenis_kelamin"]],
            PENDIDIKAN_LABEL[r["pendidikan"]],
            *(_label(f"u{i}", s) for i, s in enumerate(scores, start=1)),
            "",
        ]
        body.append("<tr>" + "".join(f"<td class='xl65' x:str>{escape(c)}</td>" for c in cells) + "</tr>\n")
        twin.append(
            (
                4 + no,
                False,
                {
                    "tanggal": r["tanggal"],
                    "kode_layanan": r["kode_layanan"],
                    **{f"u{i}": s if s <= 4 else _label(f"u{i}", s) for i, s in enumerate(scores, start=1)},
                    "jenis_kelamin": JK_LABEL[r["jenis_kelamin"]],
                    "pendidikan": r["pendidikan"],
                    "usia": r["usia"],
                },
            )
        )
    twin.append((5 + len(rows), True, {}))  # the note under the table
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
        'xmlns="http://www.w3.org/TR/REC-html40">\n<head><meta http-equiv="Content-Type" content="text/html; '
        'charset=utf-8"><meta name="ProgId" content="Excel.Sheet">\n<style>.xl65{mso-number-format:"\\@";'
        "border:.5pt solid windowtext;}</style>\n</head>\n<body>\n<h3>DATA SURVEI KEPUASAN MASYARAKAT</h3>\n"
        f"<h4>Unit Layanan: {escape(ef.opd.nama_opd)} &ndash; {escape(_periode(rows))}</h4>\n"
        '<table border="1">\n' + head + "".join(body) + "</table>\n"
        f"<p>Jumlah responden: {len(rows)}</p>\n</body>\n</html>\n"
    )
    path = ef.path("xls", f"data_survei_{ef.name}")
    path.write_text(html, encoding="utf-8")
    return path, "xls", twin


# ---- lra: the DJPK portal's Realisasi APBD -----------------------------------------------------------------

_UNIT = {"M": Decimal(10) ** 9, "Jt": Decimal(10) ** 6}


def _fits_djpk(ef: ExportFile, rows: list[dict]) -> bool:
    # the portal shows amounts with a unit (M, J): only LRA files written that way (no rounding here)
    return all(isinstance(r[c], str) and r[c].endswith((" M", " Jt")) for r in rows for c in ("anggaran", "realisasi"))


def _amount(text: str) -> int:
    number, unit = text.rsplit(" ", 1)
    return int(Decimal(number.replace(".", "").replace(",", ".")) * _UNIT[unit])  # hundredths of M or Jt: whole


def _write_djpk(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    lines = ["akun;anggaran;realisasi;persentase"]
    twin: Twin = []
    repeat = ef.rng.randrange(len(rows))  # a scrape gives one line twice
    for i, r in enumerate(rows):
        pct = r["persentase"] if isinstance(r["persentase"], str) else "-"
        line = ";".join((r["akun"], r["anggaran"].replace(" Jt", " J"), r["realisasi"].replace(" Jt", " J"), pct))
        lines.append(line)
        twin.append(
            (
                len(lines),
                False,
                {
                    "tahun": ef.tahun,
                    "akun": r["akun"],
                    "anggaran": _amount(r["anggaran"]),
                    "realisasi": _amount(r["realisasi"]),
                    "persentase": pct if pct != "-" else None,  # as written: 97,12
                    "level": (len(r["akun"]) - len(r["akun"].lstrip(" "))) // 4,
                },
            )
        )
        if i == repeat:
            lines.append(line)
            twin.append((len(lines), True, {}))
    path = ef.path("csv", f"LRA {ef.tahun}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, "csv", twin


# ---- pegawai: SIASN "Data ASN" download and SIMPEG-daerah rekap -----------------------------------------

# the download's full column list (identity columns included, as the download has them: the loader drops them)
SIASN_COLUMNS = (
    "PNS ID", "NIP BARU", "NIP LAMA", "NAMA", "GELAR DEPAN", "GELAR BELAKANG", "TEMPAT LAHIR ID",
    "TEMPAT LAHIR NAMA", "TANGGAL LAHIR", "JENIS KELAMIN", "AGAMA ID", "AGAMA NAMA", "JENIS KAWIN ID",
    "JENIS KAWIN NAMA", "NIK", "NOMOR HP", "EMAIL", "EMAIL GOV", "ALAMAT", "NPWP NOMOR", "BPJS",
    "JENIS PEGAWAI ID", "JENIS PEGAWAI NAMA", "KEDUDUKAN HUKUM ID", "KEDUDUKAN HUKUM NAMA", "STATUS CPNS PNS",
    "KARTU ASN VIRTUAL", "NOMOR SK CPNS", "TANGGAL SK CPNS", "TMT CPNS", "NOMOR SK PNS", "TANGGAL SK PNS",
    "TMT PNS", "GOL AWAL ID", "GOL AWAL NAMA", "GOL AKHIR ID", "GOL AKHIR NAMA", "TMT GOLONGAN", "MK TAHUN",
    "MK BULAN", "JENIS JABATAN ID", "JENIS JABATAN NAMA", "JABATAN ID", "JABATAN NAMA", "TMT JABATAN",
    "TINGKAT PENDIDIKAN ID", "TINGKAT PENDIDIKAN NAMA", "PENDIDIKAN ID", "PENDIDIKAN NAMA", "TAHUN LULUS",
    "KPKN ID", "KPKN NAMA", "LOKASI KERJA ID", "LOKASI KERJA NAMA", "UNOR ID", "UNOR NAMA", "INSTANSI INDUK ID",
    "INSTANSI INDUK NAMA", "INSTANSI KERJA ID", "INSTANSI KERJA NAMA", "SATUAN KERJA INDUK ID",
    "SATUAN KERJA INDUK NAMA", "SATUAN KERJA KERJA ID", "SATUAN KERJA KERJA NAMA",
)  # fmt: skip
# BKN tingkat pendidikan (id, name) as SIASN and most SIMPEG-daerah write them
TINGKAT_PENDIDIKAN = {"SD": ("05", "SD"), "SMP": ("10", "SLTP"), "SMA": ("15", "SLTA"), "D1": ("20", "Diploma I"),
                      "D2": ("25", "Diploma II"), "D3": ("30", "Diploma III/Sarjana Muda"), "D4": ("35", "Diploma IV"),
                      "S1": ("40", "S-1/Sarjana"), "S2": ("45", "S-2"), "S3": ("50", "S-3/Doktor")}  # fmt: skip
JENIS_JABATAN_SIASN = {"STRUKTURAL": ("1", "Jabatan Struktural"), "FUNGSIONAL": ("2", "Jabatan Fungsional Tertentu"),
                       "PELAKSANA": ("4", "Jabatan Fungsional Umum")}  # fmt: skip
JENIS_JABATAN_SIMPEG = {"STRUKTURAL": "Jabatan Struktural", "FUNGSIONAL": "Jabatan Fungsional Tertentu",
                        "PELAKSANA": "Jabatan Pelaksana"}  # fmt: skip
PANGKAT = ("Juru Muda", "Juru Muda Tingkat I", "Juru", "Juru Tingkat I", "Pengatur Muda", "Pengatur Muda Tingkat I",
           "Pengatur", "Pengatur Tingkat I", "Penata Muda", "Penata Muda Tingkat I", "Penata", "Penata Tingkat I",
           "Pembina", "Pembina Tingkat I", "Pembina Utama Muda", "Pembina Utama Madya", "Pembina Utama")  # fmt: skip
ROMAWI = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII")


def _baku(daftar: str, written: object) -> object:
    """What the profile step kode_baku makes of a written value: its code in the seed kode_sinonim, else as
    written (the row rules then see the value the OPD sent)."""
    from satudata.rules import codes

    if written is None or str(written).strip() == "":
        return None
    return codes.kode(daftar, str(written)) or written


def _monthly(rows: list[dict]) -> bool:
    return len({r["periode"] for r in rows}) == 1


def _fits_siasn(ef: ExportFile, rows: list[dict]) -> bool:
    # a SIASN download holds ASN only (a non-ASN has no SIASN record): a month's roster without NON_ASN
    return _monthly(rows) and all(r["status_kepegawaian"] != "NON_ASN" and r.get("nip") for r in rows)


def _gelar(name: str) -> dict[str, str]:
    """SIASN keeps the name without its degrees, upper case, and the degrees apart (GELAR DEPAN / BELAKANG):
    `dr. Rina Marlina, S.KM., M.Kes` -> DEPAN `dr.`, NAMA `RINA MARLINA`, BELAKANG `S.KM., M.Kes`."""
    base, _, belakang = name.partition(", ")
    words = base.split(" ")
    depan = [w for w in words[:-1] if w.endswith(".")]
    return {"GELAR DEPAN": " ".join(depan), "NAMA": " ".join(words[len(depan) :]).upper(), "GELAR BELAKANG": belakang}


def _gol_id(gol: str) -> str:
    """BKN golongan id: III/b -> 32, a PPPK golongan IX -> 59."""
    if "/" in gol:
        roman, letter = gol.split("/", 1)
        return f"{ROMAWI.index(roman) + 1}{'abcde'.index(letter[:1].lower()) + 1}" if roman in ROMAWI[:4] else ""
    return str(51 + ROMAWI.index(gol)) if gol in ROMAWI else ""


def _write_siasn(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    from satudata.sample.names import nama

    opd, rng, pemda = ef.opd, ef.rng, f"Pemerintah {ef.nama_pemda}"
    periode = rows[0]["periode"]
    year, month = (int(x) for x in periode.split("-"))
    lines = ["|".join(SIASN_COLUMNS)]
    twin: Twin = []
    people: list[dict | None] = list(rows)
    if rng.random() < 0.5:  # the download keeps people who left: set aside by the profile
        people.insert(rng.randrange(len(people) + 1), None)
    for p in people:
        row = dict.fromkeys(SIASN_COLUMNS, "")
        row.update(
            {
                "PNS ID": f"8ae48{rng.getrandbits(108):027x}",
                "INSTANSI INDUK NAMA": pemda,
                "INSTANSI KERJA NAMA": pemda,
                "SATUAN KERJA INDUK NAMA": pemda,
                "AGAMA ID": "1",
                "AGAMA NAMA": "Islam",
                "UNOR ID": f"8ae48288{rng.getrandbits(96):024x}",
                "UNOR NAMA": opd.nama_opd,
            }
        )
        if p is None:
            jk = rng.choice("LP")
            lahir = date(year - 58 - rng.randint(0, 3), rng.randint(1, 12), rng.randint(1, 28))
            tmt = f"{lahir.year + 25}{rng.randint(1, 12):02d}"
            nip = f"{lahir:%Y%m%d}{tmt}{1 if jk == 'L' else 2}{rng.randint(1, 9):03d}"
            row.update(
                {
                    "NIP BARU": nip,
                    **_gelar(nama(rng, jk, ef.pemda.kode_provinsi)),
                    "TANGGAL LAHIR": f"{lahir:%d-%m-%Y}",
                    "JENIS KELAMIN": "M" if jk == "L" else "F",
                    "JENIS PEGAWAI ID": "4",
                    "KEDUDUKAN HUKUM ID": "99",
                    "KEDUDUKAN HUKUM NAMA": "Pensiun",
                    "STATUS CPNS PNS": "P",
                    "GOL AKHIR ID": "34",
                    "GOL AKHIR NAMA": "III/d",
                    "JENIS JABATAN ID": "4",
                    "JENIS JABATAN NAMA": "Jabatan Fungsional Umum",
                    "JABATAN NAMA": "Pengadministrasi Umum",
                    "TINGKAT PENDIDIKAN ID": "15",
                    "TINGKAT PENDIDIKAN NAMA": "SLTA",
                }
            )
            lines.append("|".join(row.values()))
            twin.append((len(lines), True, {}))
            continue
        status = p["status_kepegawaian"]
        kh = (
            ("71", "PPPK Aktif")
            if status == "PPPK"
            else (("03", "Tugas Belajar") if rng.random() < 0.03 else ("01", "Aktif"))
        )
        pc = {"PNS": "P", "CPNS": "C"}.get(status, "")
        gol = p.get("golongan") or ""
        jj_id, jj = JENIS_JABATAN_SIASN.get(p["jenis_jabatan"], ("", p["jenis_jabatan"]))
        pd_id, pd = TINGKAT_PENDIDIKAN.get(p["pendidikan"], ("", p["pendidikan"]))
        lahir = p["tanggal_lahir"]
        row.update({
            "NIP BARU": p["nip"], **_gelar(p["nama"]), "TANGGAL LAHIR": f"{lahir:%d-%m-%Y}",
            "JENIS KELAMIN": {"L": "M", "P": "F"}.get(p["jenis_kelamin"], p["jenis_kelamin"]),
            "JENIS PEGAWAI ID": "71" if status == "PPPK" else "4",
            "JENIS PEGAWAI NAMA": "PPPK Daerah Kab/Kota" if status == "PPPK"
            else "PNS Daerah Kab./Kota yang bekerja pada Kab./Kota",
            "KEDUDUKAN HUKUM ID": kh[0], "KEDUDUKAN HUKUM NAMA": kh[1], "STATUS CPNS PNS": pc,
            "GOL AKHIR ID": _gol_id(gol), "GOL AKHIR NAMA": gol, "MK TAHUN": str(rng.randint(0, 30)),
            "MK BULAN": str(rng.randint(0, 11)), "JENIS JABATAN ID": jj_id, "JENIS JABATAN NAMA": jj,
            "JABATAN NAMA": p["nama_jabatan"], "TINGKAT PENDIDIKAN ID": pd_id, "TINGKAT PENDIDIKAN NAMA": pd,
        })  # fmt: skip
        lines.append("|".join(row.values()))
        twin.append(
            (
                len(lines),
                False,
                {
                    "nip": p["nip"],
                    "nama": row["NAMA"],
                    "jenis_kelamin": _baku("jenis_kelamin", row["JENIS KELAMIN"]),
                    "tanggal_lahir": lahir,
                    "status_kepegawaian": _baku("status_kepegawaian", pc or kh[1]),
                    "golongan": _baku("golongan", gol),
                    "jenis_jabatan": _baku("jenis_jabatan", jj),
                    "nama_jabatan": p["nama_jabatan"],
                    "pendidikan": _baku("pendidikan", pd),
                    "kode_opd": opd.kode_opd,
                    "periode": f"{year}-{month:02d}",
                },
            )
        )  # no eselon column in the download
    path = ef.path("csv", f"Data_ASN_{BULAN[month - 1]}_{year}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, "csv", twin


def _nip_spaced(nip: str | None) -> str | None:
    """19790115 200312 2 002 as SIMPEG prints a NIP (a NIP of another length as written)."""
    if nip and len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


def _write_simpeg(ef: ExportFile, rows: list[dict]) -> tuple[Path, str, Twin]:
    opd, rng = ef.opd, ef.rng
    year, month = (int(x) for x in rows[0]["periode"].split("-"))
    snapshot = date(year, month, 1) + timedelta(days=31)
    snapshot = snapshot - timedelta(days=snapshot.day)  # the month's last day
    ws = XlsxSheet("Nominatif")
    width = 13
    for line in (
        f"PEMERINTAH {ef.nama_pemda.upper()}",
        "DAFTAR NOMINATIF PEGAWAI ASN DAN NON ASN",
        opd.nama_opd.upper(),
        f"KEADAAN {snapshot.day} {BULAN[month - 1].upper()} {year}",
    ):
        ws.append([line], [STYLE_BOLD])
        ws.merge(ws.row_count, 1, ws.row_count, width)
    ws.append([])
    bold = [STYLE_BOLD] * width
    ws.append(
        [
            "NO",
            "NAMA",
            "NIP",
            "L/P",
            "TANGGAL LAHIR",
            "PANGKAT",
            None,
            "JABATAN",
            None,
            None,
            "PENDIDIKAN",
            "STATUS PEGAWAI",
            "UNIT KERJA",
        ],
        bold,
    )
    ws.append(
        [None, None, None, None, None, "GOL/RUANG", "TMT", "NAMA JABATAN", "JENIS JABATAN", "ESELON", None, None, None],
        bold,
    )
    top = ws.row_count - 1
    for col in (1, 2, 3, 4, 5, 11, 12, 13):
        ws.merge(top, col, top + 1, col)
    ws.merge(top, 6, top, 7)
    ws.merge(top, 8, top, 10)
    ws.append(list(range(1, width + 1)), bold)
    twin: Twin = []
    pangkat = rng.random() < 0.6  # this OPD's SIMPEG prints the pangkat name with the golongan
    for no, p in enumerate(rows, start=1):
        status, gol = p["status_kepegawaian"], p.get("golongan") or None
        if status == "NON_ASN":  # a non-ASN by its kind (THL, Tenaga Kontrak...): the profile keeps the kind
            status = p.get("jenis_non_asn") or "Non ASN"
        elif status == "PPPK" and rng.random() < 0.5:
            status = "P3K"
        shown_gol = gol
        if gol and pangkat and "/" in gol:
            roman, letter = gol.split("/", 1)
            if roman in ROMAWI[:4] and letter[:1] in "abcde":
                shown_gol = f"{PANGKAT[ROMAWI.index(roman) * 4 + 'abcde'.index(letter[:1])]} ({gol})"
        jenis = JENIS_JABATAN_SIMPEG.get(p["jenis_jabatan"], p["jenis_jabatan"])
        pend = TINGKAT_PENDIDIKAN.get(p["pendidikan"], ("", p["pendidikan"]))[1]
        nip = _nip_spaced(p.get("nip"))
        unit = opd.nama_opd if rng.random() < 0.5 else opd.nama_opd.upper()
        ws.append(
            [
                no,
                p["nama"],
                nip,
                p["jenis_kelamin"],
                p["tanggal_lahir"],
                shown_gol,
                None,
                p["nama_jabatan"],
                jenis,
                p.get("eselon"),
                pend,
                status,
                unit,
            ]
        )
        twin.append(
            (
                ws.row_count,
                False,
                {
                    "nip": nip,
                    "nama": p["nama"],
                    "jenis_kelamin": _baku("jenis_kelamin", p["jenis_kelamin"]),
                    "tanggal_lahir": p["tanggal_lahir"],
                    "status_kepegawaian": _baku("status_kepegawaian", status),
                    "jenis_non_asn": _jenis_non_asn(status),
                    "golongan": _baku("golongan", shown_gol),
                    "jenis_jabatan": _baku("jenis_jabatan", jenis),
                    "eselon": p.get("eselon"),
                    "nama_jabatan": p["nama_jabatan"],
                    "pendidikan": _baku("pendidikan", pend),
                    "kode_opd": opd.kode_opd,
                    "periode": f"{year}-{month:02d}",
                },
            )
        )
    ws.append([])
    signed = snapshot + timedelta(days=1)
    tempat = ef.nama_pemda.removeprefix("Kota ").removeprefix("Kabupaten ")
    for signed_line in (
        f"{tempat}, {signed.day} {BULAN[signed.month - 1]} {signed.year}",
        f"KEPALA {opd.nama_opd.upper()}",
        None,
        None,
        "(nama pejabat)",
        "NIP. .........................",
    ):
        ws.append([None] * 9 + [signed_line])
        if signed_line is not None:
            twin.append((ws.row_count, True, {}))
    path = ef.path("xlsx", f"daftar_nominatif_pegawai_{BULAN[month - 1].lower()}_{year}")
    ws.save(path)
    return path, "xlsx", twin


def _jenis_non_asn(status: str) -> str | None:
    """What the step jenis_non_asn_dari_status keeps of a status written as a kind."""
    from satudata.rules import codes

    return codes.clean_jenis_non_asn(status)


FITS: dict[str, Callable[[ExportFile, list[dict]], bool]] = {
    "sipd_register_sp2d": _fits_register,
    "sipd_realisasi": _fits_sipd_ri,
    "sipd_rincian_belanja": _fits_rincian,
    "sipd_rekap_apbd": _fits_rekap,
    "eskm_huruf_p": lambda ef, rows: _fits_eskm(ef, rows, XLS_MAX_ROWS),
    "eskm_label_pertanyaan": _fits_eskm,
    "djpk_lra": _fits_djpk,
    "siasn_data_asn": _fits_siasn,
    "simpeg_rekap": lambda ef, rows: _monthly(rows),
}
WRITERS = {
    "sipd_register_sp2d": _write_register,
    "sipd_realisasi": _write_sipd_ri,
    "sipd_rincian_belanja": _write_rincian,
    "sipd_rekap_apbd": _write_rekap,
    "eskm_huruf_p": _write_huruf,
    "eskm_label_pertanyaan": _write_label,
    "djpk_lra": _write_djpk,
    "siasn_data_asn": _write_siasn,
    "simpeg_rekap": _write_simpeg,
}


def layouts() -> Sequence[str]:
    """Every export layout the sample writes (profile ids)."""
    return tuple(WRITERS)
