"""Made-up but plausible Indonesian names (pegawai are PII: never published, only generated)."""

from __future__ import annotations

import random

LAKI = (
    "Ahmad", "Agus", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dimas", "Eko", "Fajar", "Fransiskus",
    "Hasan", "Hendra", "Imam", "Irwan", "Joko", "Marthen", "Muhammad", "Petrus", "Rahmat", "Ridwan",
    "Rizky", "Robert", "Rudi", "Syamsul", "Teguh", "Wahyu", "Yakobus", "Yohanes", "Yosef", "Yusuf",
    "Abdul", "Aditya", "Benediktus", "Daniel", "Fadli", "Gregorius", "Hadi", "Ilham", "Kornelis",
    "Ma’ruf", "Mu’min", "Nur Hidayat", "Paulus", "Slamet", "Stefanus", "Sutrisno", "Taufik", "Zainal",
)  # fmt: skip
PEREMPUAN = (
    "Agustina", "Ani", "Ayu", "Dewi", "Dian", "Elisabeth", "Ernawati", "Fitri", "Fransiska", "Hasnah",
    "Indah", "Kristina", "Lestari", "Magdalena", "Maria", "Nining", "Novita", "Nur’aini", "Nurul",
    "Putri", "Rahmawati", "Ratna", "Rina", "Siti", "Sri", "Sulastri", "Susanti", "Wahyuni", "Wulan",
    "Yanti", "Yuliana", "Anastasia", "Christina", "Desi", "Eka", "Herlina", "Irma", "Juliana",
    "Kartini", "Margaretha", "Mega", "Rosalina", "Sarah", "Theresia", "Veronika", "Yohana",
)  # fmt: skip
UMUM = (
    "Saputra", "Setiawan", "Pratama", "Wijaya", "Kurniawan", "Hidayat", "Nugroho", "Santoso",
    "Susanto", "Purnomo", "Rahayu", "Siregar", "Nasution", "Harahap", "Simanjuntak", "Hutapea",
    "Sitompul", "Tanjung", "Lubis", "Gunawan", "Syahputra", "Ramadhan", "Firmansyah", "Permana",
)  # fmt: skip
# family or regional names by Kemendagri province code
DAERAH: dict[str, tuple[str, ...]] = {
    "18": ("Saputra", "Pratama", "Wijaya", "Kurniawan", "Hidayat", "Nugroho", "Santoso", "Purnomo",
           "Setiadi", "Irawan", "Hartono", "Sanjaya", "Mulyadi", "Gumanti", "Sutan", "Pangeran"),
    "53": ("Manafe", "Ndun", "Tefa", "Lay", "Fanggidae", "Bessie", "Pellokila", "Nenobais", "Foenay",
           "Ully", "Ndolu", "Lenggu", "Mesakh", "Kiak", "Ratu", "Riwu Kaho", "Dethan", "Messakh"),
    "62": ("Usop", "Nahan", "Antang", "Bangas", "Sahay", "Ngabut", "Lambung", "Dehen", "Rangkap",
           "Tingang", "Noor", "Rahman", "Ahyar", "Saleh", "Karliansyah", "Riban"),
    "72": ("Lamadjido", "Lasahido", "Tombolotutu", "Lapasere", "Rauf", "Djanggola", "Palinggi",
           "Latjindung", "Paturusi", "Lamakampali", "Mangge", "Hasan", "Djaelangkara", "Datupalinge"),
}  # fmt: skip

GELAR_DEPAN_PEREMPUAN_HAJI = "Hj."
GELAR_DEPAN_LAKI_HAJI = "H."


def nama(rng: random.Random, jk: str, kode_provinsi: str, gelar: str = "", depan: str = "") -> str:
    given = rng.choice(LAKI if jk == "L" else PEREMPUAN)
    local = DAERAH.get(kode_provinsi, UMUM)
    family = rng.choice(local) if rng.random() < 0.65 else rng.choice(UMUM)
    if rng.random() < 0.3:  # a middle name
        given += " " + rng.choice(LAKI if jk == "L" else PEREMPUAN)
    if not depan and rng.random() < 0.05:
        depan = GELAR_DEPAN_LAKI_HAJI if jk == "L" else GELAR_DEPAN_PEREMPUAN_HAJI
    text = f"{given} {family}"
    if depan:
        text = f"{depan} {text}"
    return f"{text}, {gelar}" if gelar else text
