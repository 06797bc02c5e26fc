"""Kepegawaian: staff of each OPD over the year, and the four staff datasets.

Each OPD submits its own files (a row's kode_opd always belongs to its folder):
`pegawai` (monthly roster), `formasi_jabatan` (January and July), `pembayaran_penghasilan`
(GAJI, TPP, HONOR_NON_ASN per month, THR and GAJI_13 once a year) and `kinerja_pegawai` (annual SKP
predikat).
The pay computed here is handed to the budget generator, so GAJI pay runs equal the SP2D on
5.1.01.01 of the same OPD-month, and TPP / honorarium SP2D follow their pay dates.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from satudata.sample.common import BadQuota, PemdaContext, kode_opd_value, rng_for
from satudata.sample.files import BULAN
from satudata.sample.names import nama
from satudata.sample.opd_template import Opd

GOL_PNS = (
    "I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d",
    "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b", "IV/c", "IV/d", "IV/e",
)  # fmt: skip
GOL_PPPK = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
)
# gaji pokok PNS at 0 years of service (PP 5/2024 table, lowest step); the top step is about 1.65x
GAPOK_PNS = (
    1685700, 1840800, 1918700, 1999900, 2184000, 2385000, 2485900, 2591100,
    2785700, 2903600, 3026400, 3154400, 3287800, 3426900, 3571900, 3723000, 3880400,
)  # fmt: skip
ENTRY_GOL = {"SD": 0, "SMP": 2, "SMA": 4, "D1": 4, "D2": 5, "D3": 6, "D4": 8, "S1": 8, "S2": 9, "S3": 10}
CAP_GOL = {"SD": 7, "SMP": 7, "SMA": 11, "D1": 11, "D2": 11, "D3": 11, "D4": 13, "S1": 14, "S2": 15, "S3": 16}
PPPK_GOL = {"SMA": 4, "D3": 6, "D4": 8, "S1": 8, "S2": 9, "S3": 10}
TUNJ_JABATAN = {
    "II.a": 3_250_000,
    "II.b": 2_025_000,
    "III.a": 1_260_000,
    "III.b": 980_000,
    "IV.a": 540_000,
    "IV.b": 490_000,
}
TPP_ESELON = {"II.a": 16_000_000, "II.b": 11_500_000, "III.a": 6_500_000, "III.b": 5_200_000, "IV.a": 3_600_000}
BUP = {"II": 60, "madya": 60, "guru": 60}  # batas usia pensiun; 58 otherwise
EVENT = {"GAJI", "THR", "GAJI_13", "TPP", "HONOR_NON_ASN"}
# how a NON_ASN row names its kind (jenis_non_asn), as BKPSDM files spell it, with their weights
JENIS_NON_ASN_LABEL = (("THL", 5), ("Tenaga Harian Lepas", 2), ("Honorer", 3), ("Tenaga Kontrak", 2), ("PTT", 1))

ACC_PNS = {
    "gapok": "5.1.01.01.01.0001",
    "keluarga": "5.1.01.01.02.0001",
    "jabatan": "5.1.01.01.03.0001",
    "fungsional": "5.1.01.01.04.0001",
    "umum": "5.1.01.01.05.0001",
    "beras": "5.1.01.01.06.0001",
    "pph": "5.1.01.01.07.0001",
    "pembulatan": "5.1.01.01.08.0001",
    "jkn": "5.1.01.01.09.0001",
    "jkk": "5.1.01.01.10.0001",
    "jkm": "5.1.01.01.11.0001",
}
ACC_PPPK = {"gapok": "5.1.01.01.01.0002", "keluarga": "5.1.01.01.02.0002"}
ACC_TPP = "5.1.01.02.01.0001"  # Tambahan Penghasilan berdasarkan Beban Kerja PNS
ACC_TPP_LANGKA = "5.1.01.02.04.0001"  # ... berdasarkan Kelangkaan Profesi (dokter)
ACC_HONOR = {  # Belanja Jasa Tenaga ... for non-ASN honorarium
    "DISDIK": "5.1.02.02.01.0013",
    "DINKES": "5.1.02.02.01.0014",
    "RSUD": "5.1.02.02.01.0014",
    "SATPOLPP": "5.1.02.02.01.0017",
    "BPBD": "5.1.02.02.01.0019",
    "DAMKAR": "5.1.02.02.01.0019",
    "DLH": "5.1.02.02.01.0030",
    "DISKOMINFO": "5.1.02.02.01.0039",
}
ACC_HONOR_DEFAULT = "5.1.02.02.01.0026"  # Belanja Jasa Tenaga Administrasi

# ---- organisation ----------------------------------------------------------------------------

BIDANG_NAMES: dict[str, tuple[str, ...]] = {
    "DISDIK": (
        "Pembinaan Sekolah Dasar",
        "Pembinaan Sekolah Menengah Pertama",
        "Pembinaan PAUD dan Pendidikan Nonformal",
        "Guru dan Tenaga Kependidikan",
    ),
    "DINKES": ("Kesehatan Masyarakat", "Pencegahan dan Pengendalian Penyakit", "Pelayanan dan Sumber Daya Kesehatan"),
    "DPUPR": ("Bina Marga", "Sumber Daya Air", "Cipta Karya", "Penataan Ruang"),
    "BPKAD": ("Anggaran", "Perbendaharaan", "Akuntansi", "Aset"),
    "BAPENDA": ("Pendataan dan Penetapan", "Penagihan", "Pajak Bumi dan Bangunan"),
    "BKPSDM": ("Pengadaan dan Informasi Kepegawaian", "Mutasi dan Promosi", "Pengembangan Kompetensi"),
    "DISDUKCAPIL": (
        "Pelayanan Pendaftaran Penduduk",
        "Pelayanan Pencatatan Sipil",
        "Pengelolaan Informasi Administrasi Kependudukan",
    ),
    "DISKOMINFO": ("Informasi dan Komunikasi Publik", "Aplikasi Informatika", "Statistik dan Persandian"),
    "DPMPTSP": ("Pelayanan Perizinan", "Penanaman Modal", "Pengaduan dan Pengawasan"),
    "SATPOLPP": ("Penegakan Perda", "Ketertiban Umum dan Ketenteraman Masyarakat", "Perlindungan Masyarakat"),
    "DINSOS": ("Rehabilitasi Sosial", "Perlindungan dan Jaminan Sosial", "Pemberdayaan Sosial"),
}
SETDA_BAGIAN = (
    "Pemerintahan", "Hukum", "Kesejahteraan Rakyat", "Perekonomian dan Sumber Daya Alam",
    "Administrasi Pembangunan", "Pengadaan Barang dan Jasa", "Organisasi", "Protokol dan Komunikasi Pimpinan", "Umum",
)  # fmt: skip


def structural_posts(opd: Opd, n_kelurahan: int) -> list[tuple[str, str]]:
    """Structural posts of an OPD in rank order: (nama_jabatan, eselon)."""
    s = opd.singkatan
    if s == "SETDA":
        posts = [("Sekretaris Daerah", "II.a")]
        posts += [
            (f"Asisten {a}", "II.b")
            for a in ("Pemerintahan dan Kesejahteraan Rakyat", "Perekonomian dan Pembangunan", "Administrasi Umum")
        ]
        posts += [(f"Kepala Bagian {b}", "III.a") for b in SETDA_BAGIAN]
        return posts + [("Kepala Subbagian Tata Usaha Pimpinan", "IV.a"), ("Kepala Subbagian Rumah Tangga", "IV.a")]
    if s.startswith("KEC_"):
        posts = [("Camat", "III.a"), ("Sekretaris Camat", "III.b")]
        posts += [
            (f"Kepala Seksi {x}", "IV.a")
            for x in ("Pemerintahan", "Ketenteraman dan Ketertiban Umum", "Kesejahteraan Sosial")
        ]
        posts += [(f"Lurah {i}", "IV.a") for i in range(1, n_kelurahan + 1)]
        return posts + [("Kepala Subbagian Umum dan Kepegawaian", "IV.b")]
    head = {
        "SETWAN": "Sekretaris DPRD",
        "INSPEKTORAT": "Inspektur",
        "SATPOLPP": "Kepala Satuan Polisi Pamong Praja",
        "RSUD": "Direktur Rumah Sakit Umum Daerah",
        "BPBD": "Kepala Pelaksana BPBD",
    }.get(s, "Kepala " + ("Badan" if s.startswith("BA") or s.startswith("BK") or s == "BPKAD" else "Dinas"))
    posts = [(head, "II.b"), ("Sekretaris" if s != "RSUD" else "Kepala Bagian Tata Usaha", "III.a")]
    if s == "INSPEKTORAT":
        posts += [(f"Inspektur Pembantu Wilayah {w}", "III.b") for w in ("I", "II", "III", "IV")]
    elif s == "SETWAN":
        posts += [
            (f"Kepala Bagian {b}", "III.b")
            for b in (
                "Umum dan Keuangan",
                "Persidangan dan Perundang-undangan",
                "Fasilitasi Penganggaran dan Pengawasan",
            )
        ]
    elif s == "RSUD":
        posts += [(f"Kepala Bidang {b}", "III.b") for b in ("Pelayanan Medik", "Keperawatan", "Penunjang")]
    else:
        bidang = BIDANG_NAMES.get(s, ("Program dan Layanan", "Pengembangan", "Pengendalian dan Evaluasi"))
        posts += [(f"Kepala Bidang {b}", "III.b") for b in bidang]
    posts += [("Kepala Subbagian Umum dan Kepegawaian", "IV.a"), ("Kepala Subbagian Keuangan dan Perencanaan", "IV.a")]
    if s in ("DINKES", "DISDIK", "DLH", "DISHUB"):
        posts += [(f"Kepala UPTD {i}", "IV.a") for i in ("Wilayah I", "Wilayah II")]
    return posts


# functional posts per OPD: (base name, pendidikan choices, weight)
FUNGSIONAL: dict[str, tuple[tuple[str, tuple[str, ...], int], ...]] = {
    "DISDIK": (
        ("Guru", ("S1", "S1", "S1", "S2", "D4"), 90),
        ("Pengawas Sekolah", ("S1", "S2"), 4),
        ("Penilik", ("S1",), 3),
        ("Pamong Belajar", ("S1",), 3),
    ),
    "DINKES": (
        ("Perawat", ("D3", "D3", "S1"), 30),
        ("Bidan", ("D3", "D4"), 25),
        ("Dokter", ("S1",), 12),
        ("Dokter Gigi", ("S1",), 4),
        ("Apoteker", ("S1",), 5),
        ("Nutrisionis", ("D3", "S1"), 6),
        ("Sanitarian", ("D3", "S1"), 6),
        ("Epidemiolog Kesehatan", ("S1", "S2"), 3),
        ("Penyuluh Kesehatan Masyarakat", ("S1",), 5),
        ("Pranata Laboratorium Kesehatan", ("D3",), 4),
    ),
    "RSUD": (
        ("Perawat", ("D3", "D3", "S1"), 45),
        ("Bidan", ("D3", "D4"), 15),
        ("Dokter", ("S1",), 10),
        ("Dokter Spesialis", ("S2",), 8),
        ("Apoteker", ("S1",), 5),
        ("Radiografer", ("D3",), 4),
        ("Perekam Medis", ("D3",), 5),
        ("Fisioterapis", ("D3",), 3),
    ),
    "INSPEKTORAT": (
        ("Auditor", ("S1", "S2"), 60),
        ("Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah", ("S1", "S2"), 40),
    ),
    "BAPPEDA": (("Perencana", ("S1", "S2"), 80), ("Peneliti", ("S2",), 20)),
    "BPKAD": (("Analis Keuangan Pusat dan Daerah", ("S1",), 60), ("Penata Kelola Barang Milik Negara", ("S1",), 40)),
    "BKPSDM": (
        ("Analis Sumber Daya Manusia Aparatur", ("S1",), 70),
        ("Asesor Sumber Daya Manusia Aparatur", ("S1", "S2"), 30),
    ),
    "DISKOMINFO": (
        ("Pranata Komputer", ("D3", "S1"), 45),
        ("Statistisi", ("S1",), 25),
        ("Sandiman", ("D3", "S1"), 15),
        ("Pranata Hubungan Masyarakat", ("S1",), 15),
    ),
    "DISDUKCAPIL": (("Administrator Database Kependudukan", ("D3", "S1"), 100),),
    "SATPOLPP": (("Polisi Pamong Praja", ("SMA", "SMA", "D3", "S1"), 100),),
    "DAMKAR": (("Analis Kebakaran", ("SMA", "D3", "S1"), 100),),
    "DISPERTAN": (("Penyuluh Pertanian", ("D3", "S1"), 80), ("Medik Veteriner", ("S1",), 20)),
    "DISHUB": (("Penguji Kendaraan Bermotor", ("SMA", "D3", "S1"), 100),),
    "DLH": (("Pengendali Dampak Lingkungan", ("S1",), 100),),
    "DINSOS": (("Pekerja Sosial", ("S1",), 70), ("Penyuluh Sosial", ("S1",), 30)),
    "DISPUSIP": (("Pustakawan", ("D3", "S1"), 50), ("Arsiparis", ("D3", "S1"), 50)),
}
FUNGSIONAL_DEFAULT = (("Analis Kebijakan", ("S1", "S2"), 100),)
FUNGSIONAL_SHARE = {"DISDIK": 0.88, "DINKES": 0.72, "RSUD": 0.78, "INSPEKTORAT": 0.6, "SATPOLPP": 0.55}
NON_ASN_SHARE = {"DLH": 0.45, "DISHUB": 0.3, "SATPOLPP": 0.3, "DAMKAR": 0.3, "RSUD": 0.2, "DISDIK": 0.12}
STAFF_WEIGHT = {
    "DISDIK": 40, "DINKES": 14, "RSUD": 10, "SETDA": 4, "SATPOLPP": 4, "DLH": 3, "DPUPR": 2.5, "BPKAD": 2,
    "BAPENDA": 2, "DISHUB": 2, "DISDUKCAPIL": 1.5, "DAMKAR": 1.5, "SETWAN": 1.5, "BKPSDM": 1.2, "INSPEKTORAT": 1.2,
}  # fmt: skip
PELAKSANA = (
    ("Pengadministrasi Umum", ("SMA", "SMA", "D3")), ("Pengelola Keuangan", ("D3", "S1")),
    ("Pengelola Data", ("D3", "S1")), ("Pengadministrasi Perkantoran", ("SMA", "D3")),
    ("Bendahara", ("S1", "D3")), ("Pengelola Barang Milik Negara", ("SMA", "S1")), ("Pengemudi", ("SMA", "SMP")),
    ("Analis Kepegawaian", ("S1",)), ("Penata Laporan Keuangan", ("S1",)),
)  # fmt: skip
NON_ASN_JABATAN = {
    "DISDIK": ("Guru Honorer", "Tenaga Kependidikan Honorer", "Penjaga Sekolah"),
    "DINKES": ("Tenaga Kesehatan Non ASN", "Tenaga Administrasi"),
    "RSUD": ("Tenaga Kesehatan Non ASN", "Tenaga Kebersihan", "Tenaga Administrasi"),
    "DLH": ("Tenaga Kebersihan", "Pengemudi Truk Sampah", "Tenaga Pertamanan"),
    "SATPOLPP": ("Tenaga Ketenteraman dan Ketertiban", "Tenaga Administrasi"),
}
NON_ASN_DEFAULT = ("Tenaga Administrasi", "Pengemudi", "Tenaga Kebersihan", "Petugas Keamanan")
GELAR = {
    "S1": ("S.E.", "S.H.", "S.Sos.", "S.Kom.", "S.T.", "S.I.P.", "S.AP.", "S.Ak."),
    "S2": ("M.Si.", "M.M.", "M.H.", "M.T.", "M.AP."),
    "D3": ("A.Md.",),
    "D4": ("S.Tr.",),
}
GELAR_JF = {"Guru": ("S.Pd.",), "Perawat": ("S.Kep., Ners",), "Bidan": ("A.Md.Keb.",), "Apoteker": ("S.Farm., Apt.",)}


@dataclass
class Person:
    nip: str | None
    nama: str
    jk: str
    lahir: date
    status: str
    gol: int  # index into GOL_PNS or GOL_PPPK; -1 = none
    jenis: str
    eselon: str | None
    jabatan: str
    pendidikan: str
    opd: int  # index in ctx.opds
    tmt: date | None  # TMT CPNS / PPPK appointment
    start: int = 1  # first roster month
    end: int = 12  # last roster month
    promo: dict[int, int] = field(default_factory=dict)  # month -> golongan index from that month
    pns_from: int = 13  # CPNS becomes PNS from this month
    moved: tuple[int, int] | None = None  # (month, new opd index)
    married: bool = True
    children: int = 2
    tpp_factor: float = 1.0
    struct_post: int | None = None  # index of the structural post held

    def opd_at(self, m: int) -> int:
        return self.moved[1] if self.moved and m >= self.moved[0] else self.opd

    def status_at(self, m: int) -> str:
        return "PNS" if self.status == "CPNS" and m >= self.pns_from else self.status

    def gol_at(self, m: int) -> int:
        g = self.gol
        for month, value in sorted(self.promo.items()):
            if m >= month:
                g = value
        return g

    def golongan_at(self, m: int) -> str | None:
        g = self.gol_at(m)
        if g < 0:
            return None
        return GOL_PPPK[g] if self.status == "PPPK" else GOL_PNS[g]


def make_nip(rng: random.Random, lahir: date, tmt: date, jk: str, status: str, used: set[str]) -> str:
    sex = "1" if jk == "L" else "2"
    while True:
        seq = f"{rng.randint(1, 999):03d}"
        if status == "PPPK":
            mid = f"{tmt.year}{rng.choice(('01', '01', '01', '02'))}"
        else:
            mid = f"{tmt.year}{tmt.month:02d}"
        nip = f"{lahir:%Y%m%d}{mid}{sex}{seq}"
        if nip not in used:
            used.add(nip)
            return nip


def _fungsional_level(p_pendidikan: str, gol: int, status: str) -> str:
    if status == "PPPK":
        return "Ahli Pertama" if gol >= 8 else "Terampil"
    if p_pendidikan in ("SMA", "D3", "D1", "D2", "SMP"):
        return "Terampil" if gol <= 7 else "Mahir" if gol <= 9 else "Penyelia"
    return "Ahli Pertama" if gol <= 9 else "Ahli Muda" if gol <= 11 else "Ahli Madya" if gol <= 14 else "Ahli Utama"


class Staff:
    """The staff of one pemda for the year, and what they are paid."""

    def __init__(self, ctx: PemdaContext) -> None:
        self.ctx = ctx
        self.rng = rng_for(ctx.seed, "staff", ctx.pemda.kode_pemda)
        self.used: set[str] = set()
        self.people: list[Person] = []
        self.posts: dict[int, list[tuple[str, str]]] = {}  # opd index -> structural posts
        self.abk: dict[int, dict[str, int]] = {}  # opd index -> jabatan -> kebutuhan (non-structural)
        self.tpp_late: dict[int, str] = {}  # opd index -> on_time | late | very_late
        self._build()

    # -- people --------------------------------------------------------------------------------
    def _person(self, opd_i: int, jenis: str, jabatan: str, pendidikan: str, status: str, eselon: str | None) -> Person:
        rng, t = self.rng, self.ctx.tahun
        female_share = 0.65 if self.ctx.opds[opd_i].singkatan in ("DISDIK", "DINKES", "RSUD") else 0.45
        if jabatan in ("Bidan",):
            female_share = 1.0
        jk = "P" if rng.random() < female_share else "L"
        min_age = {"II.a": 47, "II.b": 44, "III.a": 38, "III.b": 36, "IV.a": 30, "IV.b": 28}.get(eselon or "", 22)
        bup = 60 if eselon in ("II.a", "II.b") or jabatan.startswith("Guru") else 58
        age = min(bup, max(min_age, int(rng.triangular(min_age, bup + 0.999, max(min_age + 1, 44)))))
        lahir = date(t - age - 1, rng.randint(1, 12), rng.randint(1, 28))
        if status == "NON_ASN":
            lahir = date(t - rng.randint(21, 50), rng.randint(1, 12), rng.randint(1, 28))
            p = Person(None, nama(rng, jk, self.ctx.pemda.kode_provinsi), jk, lahir, status, -1, "PELAKSANA", None,
                       jabatan, pendidikan, opd_i, None)  # fmt: skip
            p.start = 1 if rng.random() < 0.96 else rng.randint(2, 12)
            p.end = 12 if rng.random() < 0.96 else rng.randint(p.start, 12)
            return p
        if status == "PPPK":
            tmt = date(rng.choice((t - 3, t - 2, t - 2, t - 1, t - 1)), rng.choice((1, 3, 4)), 1)
        elif status == "CPNS":
            tmt = date(t - 1, rng.choice((1, 3, 6)), 1)
        else:
            first = max(lahir.year + 21, 1988)
            last = max(first, min(lahir.year + 35, t - 2))
            tmt = date(rng.randint(first, last), rng.choice((1, 1, 3, 3, 4, 6, 10, 12)), 1)
        years = t - tmt.year
        if status == "PPPK":
            gol = PPPK_GOL.get(pendidikan, 4) + (1 if years >= 3 and rng.random() < 0.3 else 0)
        else:
            gol = min(CAP_GOL.get(pendidikan, 11), ENTRY_GOL.get(pendidikan, 4) + years // 4)
            floor = {"II.a": 13, "II.b": 12, "III.a": 11, "III.b": 10, "IV.a": 9, "IV.b": 8}.get(eselon or "", 0)
            gol = max(gol, floor)
        gelar = ""
        if pendidikan in ("S1", "S2", "D3", "D4"):
            for base, titles in GELAR_JF.items():
                if jabatan.startswith(base):
                    gelar = rng.choice(titles)
                    break
            else:
                gelar = rng.choice(GELAR.get(pendidikan, ("",)))
        if pendidikan == "S2" and rng.random() < 0.5:
            gelar = rng.choice(GELAR["S1"]) + ", " + rng.choice(GELAR["S2"])
        depan = "dr." if jabatan.startswith("Dokter") or jabatan.startswith("Direktur") else ""
        if jabatan.startswith("Dokter Gigi"):
            depan = "drg."
        if jabatan.startswith("Dokter") and not jabatan.startswith("Dokter Spesialis"):
            gelar = ""
        elif jabatan.startswith("Dokter Spesialis"):
            gelar = rng.choice(("Sp.PD.", "Sp.A.", "Sp.OG.", "Sp.B.", "Sp.An."))
        nm = nama(rng, jk, self.ctx.pemda.kode_provinsi, gelar, depan)
        nip = make_nip(rng, lahir, tmt, jk, status, self.used)
        p = Person(nip, nm, jk, lahir, status, gol, jenis, eselon, jabatan, pendidikan, opd_i, tmt)
        p.married = rng.random() < 0.85
        p.children = rng.choice((0, 1, 2, 2, 2)) if p.married else 0
        if jenis == "FUNGSIONAL":
            p.jabatan = f"{jabatan} {_fungsional_level(pendidikan, gol, status)}"
        # retirement (batas usia pensiun): the last roster month is the birthday month
        if lahir.year + bup == t and status == "PNS":
            p.end = lahir.month
        if status == "CPNS":
            p.pns_from = min(13, tmt.month + rng.choice((0, 1, 2)))
        # kenaikan pangkat in April and October
        if status == "PNS":
            cap = 16 if eselon in ("II.a", "II.b") else CAP_GOL.get(pendidikan, 11)
            for month in (4, 10):
                if rng.random() < 0.09 and p.gol_at(month) < cap:
                    p.promo[month] = p.gol_at(month) + 1
        return p

    def _build(self) -> None:
        ctx, rng = self.ctx, self.rng
        n_total = max(len(ctx.opds) * 2, int(ctx.size["asn"]))
        weights = [STAFF_WEIGHT.get(o.singkatan, 2.0 if o.singkatan.startswith("KEC_") else 1.0) for o in ctx.opds]
        scale = n_total / sum(weights)
        for i, opd in enumerate(ctx.opds):
            n = max(2, round(weights[i] * scale * rng.uniform(0.85, 1.15)))
            self.tpp_late[i] = rng.choices(("on_time", "late", "very_late"), (70, 22, 8))[0]
            n_kel = rng.randint(4, 8) if opd.singkatan.startswith("KEC_") else 0
            posts = structural_posts(opd, n_kel)
            n_struct = max(1, min(len(posts), round(n * (0.12 if opd.singkatan in FUNGSIONAL_SHARE else 0.3))))
            posts = posts[:n_struct]
            self.posts[i] = posts
            filled = 0
            for j, (jab, es) in enumerate(posts):
                p_fill = {"II.a": 0.95, "II.b": 0.9, "III.a": 0.85, "III.b": 0.82, "IV.a": 0.78, "IV.b": 0.75}[es]
                if rng.random() < p_fill:
                    pend = "S2" if es.startswith("II") or rng.random() < 0.35 else "S1"
                    p = self._person(i, "STRUKTURAL", jab, pend, "PNS", es)
                    p.struct_post = j
                    self.people.append(p)
                    filled += 1
            n_non = round((n - filled) * NON_ASN_SHARE.get(opd.singkatan, 0.1)) if ctx.tahun <= 2024 else 0
            n_asn = max(1, n - filled - n_non)
            n_fung = round(n_asn * FUNGSIONAL_SHARE.get(opd.singkatan, 0.3))
            fung = FUNGSIONAL.get(opd.singkatan, FUNGSIONAL_DEFAULT)
            for _ in range(n_fung):
                base, pends, _w = rng.choices(fung, [f[2] for f in fung])[0]
                guru = base == "Guru"
                status = rng.choices(("PNS", "PPPK", "CPNS"), (60, 35, 5) if guru else (72, 22, 6))[0]
                self.people.append(self._person(i, "FUNGSIONAL", base, rng.choice(pends), status, None))
            for _ in range(n_asn - n_fung):
                jab, pends = rng.choice(PELAKSANA)
                status = rng.choices(("PNS", "PPPK", "CPNS"), (82, 10, 8))[0]
                self.people.append(self._person(i, "PELAKSANA", jab, rng.choice(pends), status, None))
            for _ in range(n_non):
                jab = rng.choice(NON_ASN_JABATAN.get(opd.singkatan, NON_ASN_DEFAULT))
                self.people.append(
                    self._person(i, "PELAKSANA", jab, rng.choice(("SMA", "SMA", "D3", "S1")), "NON_ASN", None)
                )
        # new PPPK in March and new CPNS in April (about 4% of ASN), mostly teachers and health staff
        asn = [p for p in self.people if p.status != "NON_ASN"]
        for _ in range(max(1, len(asn) // 25)):
            src = rng.choice(asn)
            status = rng.choice(("PPPK", "PPPK", "CPNS"))
            jab = src.jabatan.rsplit(" Ahli", 1)[0].rsplit(" Terampil", 1)[0].rsplit(" Mahir", 1)[0]
            jab = jab.rsplit(" Penyelia", 1)[0]
            jenis = "PELAKSANA" if src.jenis == "STRUKTURAL" else src.jenis
            if jenis == "PELAKSANA":
                jab = rng.choice(PELAKSANA)[0]
            p = self._person(src.opd, jenis, jab, "S1", status, None)
            month = 3 if status == "PPPK" else 4
            p.tmt = date(ctx.tahun, month, 1)
            self.used.discard(p.nip or "")
            p.nip = make_nip(rng, p.lahir, p.tmt, p.jk, status, self.used)
            p.start, p.pns_from = month, 13
            if status == "PPPK":
                p.gol = PPPK_GOL["S1"]
            self.people.append(p)
        # a few transfers between OPD (pelaksana), from a month onwards
        for p in self.people:
            if p.jenis == "PELAKSANA" and p.status != "NON_ASN" and rng.random() < 0.02:
                p.moved = (rng.randint(2, 12), rng.randrange(len(ctx.opds)))
        # ABK (kebutuhan) of non-structural posts at January
        counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for p in self.people:
            if p.status != "NON_ASN" and p.jenis != "STRUKTURAL" and p.start == 1:
                counts[p.opd][p.jabatan] += 1
        for i in range(len(ctx.opds)):
            abk = {}
            for jab, c in sorted(counts[i].items()):
                if jab.startswith("Guru"):
                    need = c + max(1, round(c * rng.uniform(0.1, 0.35)))
                elif rng.random() < 0.12:
                    need = max(1, c - rng.randint(1, 2))  # more staff than the workload needs
                else:
                    need = c + rng.choice((0, 0, 1, 1, 2, 3))
                abk[jab] = need
            self.abk[i] = abk

    def roster(self, m: int) -> list[Person]:
        return [p for p in self.people if p.start <= m <= p.end]

    # -- pay -----------------------------------------------------------------------------------
    def monthly_pay(self, p: Person, m: int) -> dict[str, int]:
        """Components of one month's gaji of an ASN (rupiah)."""
        status, g = p.status_at(m), p.gol_at(m)
        years = max(0, self.ctx.tahun - (p.tmt.year if p.tmt else self.ctx.tahun))
        if status == "PPPK":
            gapok = round(1_938_500 * 1.062**g * (1 + 0.012 * years), -2)
            kel = round(gapok * (0.1 * p.married + 0.02 * p.children))
            return {"gapok": int(gapok), "keluarga": int(kel)}
        gapok = GAPOK_PNS[g] * (1 + 0.65 * min(years, 32) / 32)
        if status == "CPNS":
            gapok *= 0.8
        gapok = int(round(gapok, -2))
        pay = {"gapok": gapok, "keluarga": int(gapok * (0.1 * p.married + 0.02 * p.children))}
        if p.eselon:
            pay["jabatan"] = TUNJ_JABATAN[p.eselon]
        elif p.jenis == "FUNGSIONAL":
            pay["fungsional"] = (
                540_000
                if "Pertama" in p.jabatan
                else 750_000
                if "Muda" in p.jabatan
                else 1_100_000
                if "Madya" in p.jabatan
                else 350_000
            )
        else:
            pay["umum"] = 175_000 + 5_000 * min(3, g // 4)
        pay["beras"] = 72_420 * (1 + p.married + p.children)
        base = gapok + pay["keluarga"] + pay.get("jabatan", 0) + pay.get("fungsional", 0) + pay.get("umum", 0)
        pay["pph"] = int(base * (0.0 if g < 8 else 0.012 if g < 12 else 0.025))
        pay["pembulatan"] = (100 - base % 100) % 100
        pay["jkn"] = int(min(base, 12_000_000) * 0.04)
        pay["jkk"] = int(gapok * 0.0024)
        pay["jkm"] = int(gapok * 0.0072)
        return pay

    def monthly_tpp(self, p: Person, m: int) -> tuple[int, str]:
        status = p.status_at(m)
        if status == "NON_ASN" or p.jabatan.startswith("Guru"):
            return 0, ACC_TPP
        if p.eselon:
            amount = TPP_ESELON.get(p.eselon, 3_000_000)
        elif p.jenis == "FUNGSIONAL":
            amount = (
                2_400_000
                if "Pertama" in p.jabatan
                else 3_100_000
                if "Muda" in p.jabatan
                else 4_200_000
                if "Madya" in p.jabatan
                else 1_900_000
            )
        else:
            amount = 1_500_000 + 150_000 * (p.gol_at(m) // 4)
        if status in ("CPNS", "PPPK"):
            amount = int(amount * 0.8)
        acc = ACC_TPP_LANGKA if p.jabatan.startswith("Dokter") else ACC_TPP
        return int(round(amount * self.ctx.extra["tpp_factor"], -3)), acc


# ---- writing the four datasets ---------------------------------------------------------------


def _bad_nip(rng: random.Random, nip: str, month_rule: bool) -> str:
    """A NIP the standard says to quarantine: 17 digits, or (PNS/CPNS) a TMT month of 13."""
    if month_rule and rng.random() < 0.5:
        return nip[:12] + "13" + nip[14:]
    return nip[:-1]


def generate_kepegawaian(ctx: PemdaContext) -> None:
    staff = Staff(ctx)
    ctx.extra["staff"] = staff
    _pegawai(ctx, staff)
    _formasi(ctx, staff)
    _pay(ctx, staff)
    _kinerja(ctx, staff)


def _pegawai(ctx: PemdaContext, staff: Staff) -> None:
    out, t = ctx.out, ctx.tahun
    cols = ["nip", "nama", "jenis_kelamin", "tanggal_lahir", "status_kepegawaian", "jenis_non_asn", "golongan",
            "jenis_jabatan", "eselon", "nama_jabatan", "pendidikan", "kode_opd", "periode"]  # fmt: skip
    by_opd_month: dict[tuple[int, int], list[Person]] = defaultdict(list)
    for p in staff.people:
        for m in range(p.start, p.end + 1):
            by_opd_month[(p.opd_at(m), m)].append(p)
    rng = rng_for(ctx.seed, "pegawai-bad", ctx.pemda.kode_pemda)
    quota = BadQuota(rng, 0.0025)
    # a few warning-level inconsistencies on fixed people (not quarantined)
    warn_birth = {id(p) for p in staff.people if p.nip and rng.random() < 0.001}
    warn_gol = {id(p) for p in staff.people if p.status == "PPPK" and rng.random() < 0.004}
    kind_rng = rng_for(ctx.seed, "non-asn-kind", ctx.pemda.kode_pemda)
    labels = [label for label, _ in JENIS_NON_ASN_LABEL]
    weights = [weight for _, weight in JENIS_NON_ASN_LABEL]
    kind = {id(p): kind_rng.choices(labels, weights)[0] for p in staff.people if p.status == "NON_ASN"}
    for i, opd in enumerate(ctx.opds):
        # a third of OPD send one file for the year (nine in ten at `small`, to keep it fast)
        share_annual = 0.9 if out.scale == "small" else 1 / 3
        annual = rng_for(ctx.seed, "pegawai-mode", ctx.pemda.kode_pemda, opd.singkatan).random() < share_annual
        groups = [list(range(1, 13))] if annual else [[m] for m in range(1, 13)]
        for months in groups:
            key = "tahunan" if annual else f"{months[0]:02d}"
            style = out.style(ctx.pemda, opd, "pegawai", allow_xlsx=not ctx.big, key=key)
            name = f"pegawai_{t}" if annual else f"pegawai_{t}-{months[0]:02d}"
            periode_text = f"TAHUN {t}" if annual else f"PERIODE {BULAN[months[0] - 1].upper()} {t}"
            title = [f"DAFTAR PEGAWAI {opd.nama_opd.upper()}", periode_text]
            bad = 0
            with out.open(ctx.pemda, opd, "pegawai", name, cols, style, title) as f:
                for m in months:
                    for p in by_opd_month.get((i, m), []):
                        nip = p.nip
                        if nip and quota.hit():
                            nip, bad = _bad_nip(rng, nip, p.status_at(m) in ("PNS", "CPNS")), bad + 1
                        lahir = p.lahir + timedelta(days=1) if id(p) in warn_birth else p.lahir
                        gol = "III/a" if id(p) in warn_gol else p.golongan_at(m)
                        f.write({
                            "nip": nip, "nama": p.nama, "jenis_kelamin": p.jk, "tanggal_lahir": lahir,
                            "status_kepegawaian": p.status_at(m), "jenis_non_asn": kind.get(id(p)),
                            "golongan": gol, "jenis_jabatan": p.jenis,
                            "eselon": p.eselon, "nama_jabatan": p.jabatan, "pendidikan": p.pendidikan,
                            "kode_opd": kode_opd_value(opd, style), "periode": f"{t}-{m:02d}",
                        })  # fmt: skip
            out.count("pegawai", f, bad)


def _formasi(ctx: PemdaContext, staff: Staff) -> None:
    out, t = ctx.out, ctx.tahun
    cols = ["periode", "kode_opd", "nama_jabatan", "jenis_jabatan", "eselon", "kebutuhan", "terisi", "usulan_pengisian"]
    rng = rng_for(ctx.seed, "formasi", ctx.pemda.kode_pemda)
    breach = rng.random() < 0.25  # this pemda proposes more than the pre-Pilkada limit in July
    rows_by_opd: dict[int, list[dict]] = defaultdict(list)
    for m in (1, 7):
        periode = f"{t}-{m:02d}"
        roster = staff.roster(m)
        held: set[tuple[int, int]] = {(p.opd, p.struct_post) for p in roster if p.struct_post is not None}
        count: dict[tuple[int, str], int] = defaultdict(int)
        for p in roster:
            if p.status != "NON_ASN" and p.jenis != "STRUKTURAL":
                count[(p.opd_at(m), p.jabatan)] += 1
        quota = {"II": 3, "III_IV": 15} if not (breach and m == 7) else {"II": 5, "III_IV": 22}
        candidates: list[tuple[int, dict]] = []
        for i in range(len(ctx.opds)):
            for j, (jab, es) in enumerate(staff.posts[i]):
                terisi = 1 if (i, j) in held else 0
                row = {"periode": periode, "i": i, "nama_jabatan": jab, "jenis_jabatan": "STRUKTURAL", "eselon": es,
                       "kebutuhan": 1, "terisi": terisi, "usulan_pengisian": 0}  # fmt: skip
                rows_by_opd[i].append(row)
                if not terisi and rng.random() < 0.8:
                    candidates.append((i, row))
            jabs = sorted(set(staff.abk[i]) | {j for (o, j) in count if o == i})
            for jab in jabs:
                terisi = count.get((i, jab), 0)
                need = staff.abk[i].get(jab, terisi)
                gap = max(0, need - terisi)
                usulan = min(gap, rng.randint(0, gap)) if gap else 0
                if rng.random() < 0.02:
                    usulan = gap + 1  # warning: more proposals than vacancies
                jenis = (
                    "FUNGSIONAL" if any(x in jab for x in ("Ahli", "Terampil", "Mahir", "Penyelia")) else "PELAKSANA"
                )
                rows_by_opd[i].append(
                    {
                        "periode": periode,
                        "i": i,
                        "nama_jabatan": jab,
                        "jenis_jabatan": jenis,
                        "eselon": None,
                        "kebutuhan": need,
                        "terisi": terisi,
                        "usulan_pengisian": usulan,
                    }
                )
        rng.shuffle(candidates)
        for _i, row in candidates:
            group = "II" if str(row["eselon"]).startswith("II.") else "III_IV"
            if quota[group] > 0:
                row["usulan_pengisian"] = 1
                quota[group] -= 1
    for i, opd in enumerate(ctx.opds):
        style = out.style(ctx.pemda, opd, "formasi_jabatan", allow_xlsx=True)
        title = [f"FORMASI JABATAN {opd.nama_opd.upper()}", f"TAHUN {t}"]
        with out.open(ctx.pemda, opd, "formasi_jabatan", f"formasi_{t}", cols, style, title) as f:
            for row in rows_by_opd[i]:
                f.write({**row, "kode_opd": kode_opd_value(opd, style)})
        out.count("formasi_jabatan", f)


def _pay(ctx: PemdaContext, staff: Staff) -> None:
    """Pay runs per OPD-month, and the payment events the budget turns into SP2D."""
    out, t, cal = ctx.out, ctx.tahun, ctx.cal
    rng = rng_for(ctx.seed, "pay", ctx.pemda.kode_pemda)
    # THR before Idul Fitri (about 10 working days before), gaji ke-13 at the start of June
    lebaran = sorted(d for d, n in ctx.ref.holiday_names.items() if d.year == t and n == "Hari Raya Idul Fitri")
    thr_day = cal.add_workdays(lebaran[0], -12) if lebaran else cal.next_workday(date(t, 3, 25))
    g13_day = cal.add_workdays(cal.next_workday(date(t, 6, 1)), 2)
    # events: (opd index, date, account, amount, jenis, periode month)
    events: list[tuple[int, date, str, int, str]] = []
    runs: dict[int, list[dict]] = defaultdict(list)
    for m in range(1, 13):
        agg_gaji: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        agg_extra: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # THR / gaji 13
        agg_tpp: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        n_gaji: dict[int, int] = defaultdict(int)
        n_tpp: dict[int, int] = defaultdict(int)
        honor: dict[int, list[int]] = defaultdict(list)
        for p in staff.roster(m):
            i = p.opd_at(m)
            if p.status == "NON_ASN":
                honor[i].append(int(round(rng.uniform(1_600_000, 2_900_000), -3)))
                continue
            accs = ACC_PPPK if p.status == "PPPK" else ACC_PNS
            pay = staff.monthly_pay(p, m)
            for comp, v in pay.items():
                agg_gaji[i][accs[comp]] += v
            n_gaji[i] += 1
            if m == thr_day.month or m == g13_day.month:
                for comp in ("gapok", "keluarga", "jabatan", "fungsional", "umum"):
                    if comp in pay:
                        agg_extra[i][accs[comp]] += pay[comp]
            tpp, acc = staff.monthly_tpp(p, m)
            if tpp:
                agg_tpp[i][acc] += tpp
                n_tpp[i] += 1
        for i in range(len(ctx.opds)):
            paid: date | None
            if n_gaji[i]:
                due = cal.next_workday(date(t, m, 1))
                late = rng.random() < (0.5 if m == 1 else 0.03)
                paid = cal.add_workdays(due, rng.randint(1, 6)) if late else due
                if paid.month != m:
                    paid = cal.by_month[m][-1]
                total = sum(agg_gaji[i].values())
                # the salary SP2D is issued a few working days before pay day (in M-1 from February on);
                # a late salary's SP2D is dated the day it is paid (REC-004 matches an SP2D to the run it pays)
                sp2d_day = cal.add_workdays(due, -3) if m > 1 and paid == due else paid
                events += _split_sp2d(i, sp2d_day, agg_gaji[i], "GAJI")
                runs[i].append({"periode": f"{t}-{m:02d}", "jenis_penghasilan": "GAJI", "jumlah_penerima": n_gaji[i],
                                "nilai_bruto": total, "tanggal_jatuh_tempo": due, "tanggal_bayar": paid})  # fmt: skip
                if agg_extra[i]:  # THR and gaji ke-13: runs of their own, paid from 5.1.01.01 as well
                    extra_day, jenis = (thr_day, "THR") if m == thr_day.month else (g13_day, "GAJI_13")
                    events += _split_sp2d(i, extra_day, agg_extra[i], "GAJI")
                    runs[i].append({"periode": f"{t}-{m:02d}", "jenis_penghasilan": jenis,
                                    "jumlah_penerima": n_gaji[i], "nilai_bruto": sum(agg_extra[i].values()),
                                    "tanggal_jatuh_tempo": extra_day, "tanggal_bayar": extra_day})  # fmt: skip
            if n_tpp[i]:
                due = cal.next_workday(date(t, m + 1, 10)) if m < 12 else cal.next_workday(date(t, 12, 20))
                cls = staff.tpp_late[i]
                if cls == "on_time" or rng.random() < 0.3:
                    paid = cal.add_workdays(due, -rng.randint(0, 4))
                elif cls == "late":
                    paid = cal.add_workdays(due, rng.randint(3, 20))
                else:
                    paid = cal.add_workdays(due, rng.randint(15, 45))
                if paid > date(t, 12, 30):
                    paid = None  # not paid by the end of the year: unpaid past due
                elif paid.year > t or paid.month <= m and m < 12:
                    paid = due
                total = sum(agg_tpp[i].values())
                if paid:
                    events += _split_sp2d(i, paid, agg_tpp[i], "TPP")
                runs[i].append({"periode": f"{t}-{m:02d}", "jenis_penghasilan": "TPP", "jumlah_penerima": n_tpp[i],
                                "nilai_bruto": total, "tanggal_jatuh_tempo": due, "tanggal_bayar": paid})  # fmt: skip
            if honor[i]:
                due = cal.next_workday(date(t, m + 1, 10)) if m < 12 else cal.next_workday(date(t, 12, 20))
                quarterly = staff.tpp_late[i] == "very_late"
                if quarterly and m % 3:
                    paid = cal.next_workday(date(t, m - m % 3 + 4, 5)) if m < 10 else cal.next_workday(date(t, 12, 20))
                else:
                    paid = cal.add_workdays(due, rng.randint(-3, 2))
                if paid > date(t, 12, 30):
                    paid = cal.by_month[12][-3]
                total = sum(honor[i])
                acc = ACC_HONOR.get(ctx.opds[i].singkatan, ACC_HONOR_DEFAULT)
                events.append((i, paid, acc, total, "HONOR_NON_ASN"))
                runs[i].append({"periode": f"{t}-{m:02d}", "jenis_penghasilan": "HONOR_NON_ASN",
                                "jumlah_penerima": len(honor[i]), "nilai_bruto": total,
                                "tanggal_jatuh_tempo": due, "tanggal_bayar": paid})  # fmt: skip
    ctx.extra["pay_events"] = events
    cols = ["periode", "kode_opd", "jenis_penghasilan", "jumlah_penerima", "nilai_bruto", "tanggal_jatuh_tempo",
            "tanggal_bayar"]  # fmt: skip
    for i, opd in enumerate(ctx.opds):
        if not runs[i]:
            continue
        style = out.style(ctx.pemda, opd, "pembayaran_penghasilan", allow_xlsx=True)
        title = [f"REKAPITULASI PEMBAYARAN PENGHASILAN PEGAWAI {opd.nama_opd.upper()}", f"TAHUN ANGGARAN {t}"]
        with out.open(ctx.pemda, opd, "pembayaran_penghasilan", f"pembayaran_{t}", cols, style, title) as f:
            for row in sorted(runs[i], key=lambda r: (r["periode"], r["jenis_penghasilan"])):
                f.write({**row, "kode_opd": kode_opd_value(opd, style)})
        out.count("pembayaran_penghasilan", f)


def _split_sp2d(i: int, day: date, amounts: dict[str, int], jenis: str) -> list[tuple[int, date, str, int, str]]:
    """One SP2D per account; accounts under 3% of the run (or Rp 1 jt) ride on the largest one."""
    total = sum(amounts.values())
    big = {a: v for a, v in amounts.items() if v >= max(1_000_000, 0.03 * total)}
    if not big:
        big = {max(amounts, key=lambda a: amounts[a]): 0}
    main = max(big, key=lambda a: big[a])
    big[main] += sum(v for a, v in amounts.items() if a not in big)
    return [(i, day, a, v, jenis) for a, v in sorted(big.items()) if v > 0]


def _kinerja(ctx: PemdaContext, staff: Staff) -> None:
    out, t = ctx.out, ctx.tahun
    rng = rng_for(ctx.seed, "kinerja", ctx.pemda.kode_pemda)
    quota = BadQuota(rng, 0.0025)
    cols = ["tahun", "nip", "kode_opd", "predikat"]
    by_opd: dict[int, list[Person]] = defaultdict(list)
    for p in staff.roster(12):
        if p.nip and p.status != "NON_ASN":
            by_opd[p.opd_at(12)].append(p)
    for i, opd in enumerate(ctx.opds):
        if not by_opd[i]:
            continue
        style = out.style(ctx.pemda, opd, "kinerja_pegawai", allow_xlsx=not ctx.big)
        title = [f"REKAP PREDIKAT KINERJA PEGAWAI {opd.nama_opd.upper()}", f"PERIODE PENILAIAN TAHUN {t}"]
        bad = 0
        skew = rng.uniform(-0.08, 0.08)  # some OPD rate more generously than others
        with out.open(ctx.pemda, opd, "kinerja_pegawai", f"skp_{t}", cols, style, title) as f:
            for p in by_opd[i]:
                pred = rng.choices(
                    ("SANGAT_BAIK", "BAIK", "BUTUH_PERBAIKAN", "KURANG", "SANGAT_KURANG"),
                    (0.14 + skew, 0.75 - skew, 0.075, 0.03, 0.005),
                )[0]
                nip = p.nip or ""
                if quota.hit():
                    nip, bad = _bad_nip(rng, nip, month_rule=False), bad + 1
                f.write({"tahun": t, "nip": nip, "kode_opd": kode_opd_value(opd, style), "predikat": pred})
        out.count("kinerja_pegawai", f, bad)
