"""A template of a kota/kabupaten's OPD (perangkat daerah) with SIPD-style unit codes.

The seed `dbt_project/seeds/opd.csv` for the four seed cities was written from this template
(with their real kecamatan), and the generator uses it for the other pemda of the `provinsi`
and `nasional` scales. It is a realistic template, not any city's actual Perda SOTK.

SIPD unit code `U.BB.U.BB.U.BB.NN.SSSS`: up to three urusan-bidang pairs the unit carries
(`0.00` when unused), the unit number within the first bidang and the sub-unit (0000 = the
OPD itself). E.g. `1.02.0.00.0.00.01.0000` Dinas Kesehatan, `2.16.2.20.2.21.01.0000` Dinas
Kominfo (komunikasi + statistik + persandian).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Opd:
    kode_pemda: str
    kode_opd: str
    singkatan: str
    nama_opd: str

    @property
    def bidang(self) -> str:
        """First urusan-bidang the unit carries, e.g. `1.02` (to pick its sub kegiatan)."""
        return self.kode_opd[:4]


# (singkatan, kode_opd, nama without the pemda name, kinds it exists in: k=kota, b=kabupaten)
TEMPLATE: tuple[tuple[str, str, str, str], ...] = (
    ("SETDA", "4.01.0.00.0.00.01.0000", "Sekretariat Daerah", "kb"),
    ("SETWAN", "4.02.0.00.0.00.01.0000", "Sekretariat DPRD", "kb"),
    ("INSPEKTORAT", "6.01.0.00.0.00.01.0000", "Inspektorat Daerah", "kb"),
    ("BAPPEDA", "5.01.5.05.0.00.01.0000", "Badan Perencanaan Pembangunan, Riset dan Inovasi Daerah", "kb"),
    ("BPKAD", "5.02.0.00.0.00.01.0000", "Badan Pengelolaan Keuangan dan Aset Daerah", "kb"),
    ("BAPENDA", "5.02.0.00.0.00.02.0000", "Badan Pendapatan Daerah", "kb"),
    ("BKPSDM", "5.03.5.04.0.00.01.0000", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", "kb"),
    ("KESBANGPOL", "8.01.0.00.0.00.01.0000", "Badan Kesatuan Bangsa dan Politik", "kb"),
    ("BPBD", "1.05.0.00.0.00.02.0000", "Badan Penanggulangan Bencana Daerah", "kb"),
    ("DISDIK", "1.01.0.00.0.00.01.0000", "Dinas Pendidikan", "kb"),
    ("DINKES", "1.02.0.00.0.00.01.0000", "Dinas Kesehatan", "kb"),
    ("RSUD", "1.02.0.00.0.00.02.0000", "Rumah Sakit Umum Daerah", "kb"),
    ("DPUPR", "1.03.0.00.0.00.01.0000", "Dinas Pekerjaan Umum dan Penataan Ruang", "kb"),
    ("DISPERKIM", "1.04.2.10.0.00.01.0000", "Dinas Perumahan, Kawasan Permukiman dan Pertanahan", "kb"),
    ("SATPOLPP", "1.05.0.00.0.00.01.0000", "Satuan Polisi Pamong Praja", "kb"),
    ("DAMKAR", "1.05.0.00.0.00.03.0000", "Dinas Pemadam Kebakaran dan Penyelamatan", "k"),
    ("DINSOS", "1.06.0.00.0.00.01.0000", "Dinas Sosial", "kb"),
    ("DISNAKER", "2.07.0.00.0.00.01.0000", "Dinas Tenaga Kerja", "kb"),
    (
        "DP3AP2KB",
        "2.08.2.14.0.00.01.0000",
        "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana",
        "kb",
    ),
    ("DKP", "2.09.0.00.0.00.01.0000", "Dinas Ketahanan Pangan", "kb"),
    ("DLH", "2.11.0.00.0.00.01.0000", "Dinas Lingkungan Hidup", "kb"),
    ("DISDUKCAPIL", "2.12.0.00.0.00.01.0000", "Dinas Kependudukan dan Pencatatan Sipil", "kb"),
    ("DPMD", "2.13.0.00.0.00.01.0000", "Dinas Pemberdayaan Masyarakat dan Desa", "b"),
    ("DISHUB", "2.15.0.00.0.00.01.0000", "Dinas Perhubungan", "kb"),
    ("DISKOMINFO", "2.16.2.20.2.21.01.0000", "Dinas Komunikasi, Informatika, Statistik dan Persandian", "kb"),
    ("DKUKM", "2.17.0.00.0.00.01.0000", "Dinas Koperasi, Usaha Kecil dan Menengah", "kb"),
    ("DPMPTSP", "2.18.0.00.0.00.01.0000", "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", "kb"),
    ("DISPORA", "2.19.0.00.0.00.01.0000", "Dinas Pemuda dan Olahraga", "kb"),
    ("DISPUSIP", "2.23.2.24.0.00.01.0000", "Dinas Perpustakaan dan Kearsipan", "kb"),
    ("DISLUTKAN", "3.25.0.00.0.00.01.0000", "Dinas Kelautan dan Perikanan", ""),  # coastal only
    ("DISPAR", "3.26.2.22.0.00.01.0000", "Dinas Pariwisata dan Kebudayaan", "kb"),
    ("DISPERTAN", "3.27.0.00.0.00.01.0000", "Dinas Pertanian", "kb"),
    ("DISPERINDAG", "3.30.3.31.0.00.01.0000", "Dinas Perdagangan dan Perindustrian", "kb"),
)

# the four seed cities: coastal flag and kecamatan (Kemendagri 300.2.2-2138/2025 via idn-area-data)
SEED_CITIES: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "18.72": (
        "Kota Metro",
        False,
        ("Metro Pusat", "Metro Utara", "Metro Barat", "Metro Timur", "Metro Selatan"),
    ),
    "53.71": (
        "Kota Kupang",
        True,
        ("Alak", "Maulafa", "Kelapa Lima", "Oebobo", "Kota Raja", "Kota Lama"),
    ),
    "62.71": (
        "Kota Palangka Raya",
        False,
        ("Pahandut", "Bukit Batu", "Jekan Raya", "Sabangau", "Rakumpit"),
    ),
    "72.71": (
        "Kota Palu",
        True,
        (
            "Palu Timur",
            "Palu Barat",
            "Palu Selatan",
            "Palu Utara",
            "Ulujadi",
            "Tatanga",
            "Tawaeli",
            "Mantikulore",
        ),
    ),
}


def kecamatan_singkatan(nama: str) -> str:
    """`Kelapa Lima` -> `KEC_KELAPA_LIMA` (a folder-safe singkatan)."""
    return "KEC_" + "_".join(nama.upper().replace("-", " ").split())


def opd_list(kode_pemda: str, nama_pemda: str, jenis: str, coastal: bool, kecamatan: tuple[str, ...]) -> list[Opd]:
    """The OPD of one pemda: the template filtered by kind, then one office per kecamatan."""
    kind = "k" if jenis == "kota" else "b"
    rows: list[Opd] = []
    for singkatan, kode, nama, kinds in TEMPLATE:
        if kind in kinds or (singkatan == "DISLUTKAN" and coastal):
            rows.append(Opd(kode_pemda, kode, singkatan, f"{nama} {nama_pemda}"))
    for i, kec in enumerate(kecamatan, start=1):
        rows.append(Opd(kode_pemda, f"7.01.0.00.0.00.{i:02d}.0000", kecamatan_singkatan(kec), f"Kecamatan {kec}"))
    return rows


def title_name(nama_upper: str) -> str:
    """`KABUPATEN LAMPUNG SELATAN` -> `Kabupaten Lampung Selatan` (for OPD names of extra pemda)."""
    return " ".join(w.capitalize() for w in nama_upper.split())


def generic_opd_list(kode_pemda: str, nama_upper: str, jenis: str, n_kecamatan: int) -> list[Opd]:
    """OPD of a pemda outside the seed: the template with numbered kecamatan (names unknown here)."""
    nama = title_name(nama_upper)
    kec = tuple(f"{i:02d}" for i in range(1, n_kecamatan + 1))
    rows = opd_list(kode_pemda, nama, jenis, coastal=False, kecamatan=())
    for i, k in enumerate(kec, start=1):
        rows.append(Opd(kode_pemda, f"7.01.0.00.0.00.{i:02d}.0000", f"KEC_{k}", f"Kecamatan {k} {nama}"))
    return rows


def seed_city_opd() -> list[Opd]:
    rows: list[Opd] = []
    for kode, (nama, coastal, kec) in SEED_CITIES.items():
        rows += opd_list(kode, nama, "kota", coastal, kec)
    return rows
