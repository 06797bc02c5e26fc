"""The services of the sample pemda, per OPD: data only, read by the generator of the service files
(satudata/sample/pelayanan.py) and by the real-export layouts (satudata/sample/exports.py)."""

from __future__ import annotations

# OPD -> services: (kode, nama, SLA working days, biaya, dasar hukum, volume weight, share over SLA)
LAYANAN: dict[str, tuple[tuple[str, str, int, int, str, float, float], ...]] = {
    "DISDUKCAPIL": (
        ("DUKCAPIL-01", "Penerbitan KTP-el", 1, 0, "UU 24/2013; Perpres 96/2018", 30, 0.06),
        ("DUKCAPIL-02", "Penerbitan Kartu Keluarga", 1, 0, "UU 24/2013; Perpres 96/2018", 24, 0.03),
        ("DUKCAPIL-03", "Penerbitan Akta Kelahiran", 1, 0, "UU 24/2013; Perpres 96/2018", 18, 0.03),
        ("DUKCAPIL-04", "Penerbitan Akta Kematian", 1, 0, "UU 24/2013; Perpres 96/2018", 5, 0.02),
        ("DUKCAPIL-05", "Penerbitan Surat Keterangan Pindah", 1, 0, "UU 24/2013; Perpres 96/2018", 8, 0.02),
        ("DUKCAPIL-06", "Penerbitan Kartu Identitas Anak", 1, 0, "Permendagri 2/2016", 8, 0.04),
        ("DUKCAPIL-07", "Penerbitan Akta Perkawinan", 3, 0, "UU 24/2013; Perpres 96/2018", 2, 0.05),
    ),
    "DPMPTSP": (
        ("PTSP-01", "Persetujuan Bangunan Gedung (PBG)", 28, 0, "PP 16/2021", 5, 0.30),
        ("PTSP-02", "Sertifikat Laik Fungsi (SLF)", 10, 0, "PP 16/2021", 2, 0.18),
        ("PTSP-03", "Surat Izin Praktik Tenaga Kesehatan", 7, 0, "UU 17/2023", 4, 0.05),
        ("PTSP-04", "Izin Penyelenggaraan Reklame", 5, 150000, "Perda Pajak dan Retribusi Daerah", 3, 0.08),
        ("PTSP-05", "Nomor Induk Berusaha Usaha Mikro dan Kecil", 1, 0, "PP 5/2021", 8, 0.02),
        ("PTSP-06", "Izin Operasional Satuan Pendidikan", 14, 0, "Permendikbud 36/2014", 1, 0.12),
    ),
    "DINKES": (
        ("DINKES-01", "Sertifikat Laik Higiene Sanitasi", 14, 0, "Permenkes 2/2023", 2, 0.15),
        ("DINKES-02", "Sertifikat Produksi Pangan Industri Rumah Tangga", 14, 0, "Peraturan BPOM 22/2018", 3, 0.10),
        ("DINKES-03", "Rekomendasi Izin Apotek dan Toko Obat", 7, 0, "Permenkes 14/2021", 1, 0.05),
    ),
    "DISNAKER": (
        ("NAKER-01", "Kartu Tanda Bukti Pendaftaran Pencari Kerja (AK/I)", 1, 0, "Permenaker 39/2016", 6, 0.02),
        ("NAKER-02", "Pencatatan Perjanjian Kerja Bersama", 6, 0, "Permenaker 28/2014", 0.3, 0.10),
    ),
    "DINSOS": (
        ("DINSOS-01", "Surat Keterangan Terdaftar DTKS", 3, 0, "Permensos 3/2021", 4, 0.04),
        ("DINSOS-02", "Rekomendasi Penerima Bantuan Iuran Jaminan Kesehatan", 3, 0, "Permensos 21/2019", 2, 0.06),
    ),
    "DISHUB": (
        ("DISHUB-01", "Pengujian Berkala Kendaraan Bermotor", 1, 85000, "PP 55/2012; Perda Retribusi Daerah", 5, 0.02),
        ("DISHUB-02", "Izin Trayek Angkutan Kota", 7, 150000, "PP 74/2014; Perda Retribusi Daerah", 0.4, 0.08),
    ),
    "DLH": (
        ("DLH-01", "Persetujuan Lingkungan (UKL-UPL)", 10, 0, "PP 22/2021", 0.6, 0.20),
        (
            "DLH-02",
            "Registrasi Surat Pernyataan Kesanggupan Pengelolaan Lingkungan (SPPL)",
            1,
            0,
            "PP 22/2021",
            1.5,
            0.03,
        ),
    ),
}
