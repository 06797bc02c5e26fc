"""Pelayanan: service standards, requests, SKM responses, SPM achievement and complaints.

Each service OPD submits its own `jenis_layanan`, `permohonan_layanan` (monthly CSV) and
`survei_kepuasan` (per semester); the OPD of each SPM bidang its `capaian_spm`; DISKOMINFO
(walidata, SP4N-LAPOR admin) the `pengaduan`. Patterns: working-day SLA with a few services
often late, IKM spread over mutu A-D across services, SPM achievement below 100% in some
indicators, a small share of rows the standard says to quarantine.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from satudata.sample.common import BadQuota, PemdaContext, kode_opd_value, rng_for
from satudata.sample.layanan import LAYANAN
from satudata.sample.names import nama

# SKM answer distributions P(1..4) per mutu class (IKM about 90, 81, 72, 62)
MUTU_P = {
    "A": (0.01, 0.03, 0.30, 0.66),
    "B": (0.02, 0.08, 0.55, 0.35),
    "C": (0.05, 0.22, 0.55, 0.18),
    "D": (0.12, 0.38, 0.40, 0.10),
}
WORSE = {"A": "B", "B": "C", "C": "D", "D": "D"}
# approximate populations of the seed cities, used only to size SPM targets
POPULASI = {"18.72": 170_000, "53.71": 470_000, "62.71": 310_000, "72.71": 390_000}
# SPM: OPD -> indicators it reports; rate = sasaran per inhabitant, capaian range
SPM_OPD = {
    "DISDIK": ("PEND-01", "PEND-02", "PEND-03"),
    "DINKES": tuple(f"KES-{i:02d}" for i in range(1, 13)),
    "DPUPR": ("PU-01", "PU-02"),
    "DISPERKIM": ("PR-01", "PR-02"),
    "SATPOLPP": ("TRANTIB-01",),
    "BPBD": ("TRANTIB-02", "TRANTIB-03", "TRANTIB-04"),
    "DAMKAR": ("TRANTIB-05",),
    "DINSOS": tuple(f"SOS-{i:02d}" for i in range(1, 6)),
}
SPM_RATE = {
    "PEND-01": 0.035, "PEND-02": 0.16, "PEND-03": 0.004, "KES-01": 0.017, "KES-02": 0.016, "KES-03": 0.016,
    "KES-04": 0.08, "KES-05": 0.16, "KES-06": 0.62, "KES-07": 0.09, "KES-08": 0.12, "KES-09": 0.02,
    "KES-10": 0.001, "KES-11": 0.006, "KES-12": 0.01, "PU-01": 0.05, "PU-02": 0.04, "PR-01": 0.0002,
    "PR-02": 0.0001, "TRANTIB-01": 0.002, "TRANTIB-02": 0.05, "TRANTIB-03": 0.01, "TRANTIB-04": 0.0005,
    "TRANTIB-05": 0.0003, "SOS-01": 0.0004, "SOS-02": 0.0003, "SOS-03": 0.0004, "SOS-04": 0.0002, "SOS-05": 0.0006,
}  # fmt: skip
KATEGORI_ADUAN = (
    ("Infrastruktur dan Jalan", 20), ("Lingkungan Hidup dan Kebersihan", 16), ("Administrasi Kependudukan", 12),
    ("Kesehatan", 9), ("Pendidikan", 8), ("Ketenteraman dan Ketertiban Umum", 8), ("Perhubungan", 7),
    ("Sosial", 7), ("Perizinan", 5), ("Kepegawaian", 3), ("Air Minum", 5),
)  # fmt: skip
ALL_TYPES_SEASON = (8, 8, 8, 8, 7, 7, 10, 9, 9, 9, 9, 8)
DUKCAPIL_SEASON = (10, 10, 7, 6, 7, 8, 11, 9, 8, 9, 9, 6)  # Pemilu (Feb) and Pilkada (Nov) rushes, school year


def generate_pelayanan(ctx: PemdaContext) -> None:
    services = [(ctx.opds.index(o), s) for o in ctx.opds for s in LAYANAN.get(o.singkatan, ())]
    _jenis_layanan(ctx, services)
    volumes = _permohonan(ctx, services)
    _survei(ctx, services, volumes)
    _capaian_spm(ctx)
    _pengaduan(ctx)


def _jenis_layanan(ctx: PemdaContext, services: list) -> None:
    out = ctx.out
    cols = ["kode_opd", "kode_layanan", "nama_layanan", "waktu_penyelesaian_hari", "biaya", "dasar_hukum"]
    by_opd: dict[int, list] = defaultdict(list)
    for i, s in services:
        by_opd[i].append(s)
    for i, rows in sorted(by_opd.items()):
        opd = ctx.opds[i]
        style = out.style(ctx.pemda, opd, "jenis_layanan", allow_xlsx=True)
        title = [f"STANDAR PELAYANAN {opd.nama_opd.upper()}"]
        with out.open(ctx.pemda, opd, "jenis_layanan", "standar_pelayanan", cols, style, title) as f:
            for kode, nm, sla, biaya, dasar, _w, _late in rows:
                f.write({"kode_opd": kode_opd_value(opd, style), "kode_layanan": kode, "nama_layanan": nm,
                         "waktu_penyelesaian_hari": sla, "biaya": biaya, "dasar_hukum": dasar})  # fmt: skip
        out.count("jenis_layanan", f)


def _nik(rng: random.Random, ctx: PemdaContext, jk: str) -> str:
    born = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
    day = born.day + (40 if jk == "P" else 0)
    wilayah = ctx.pemda.kode_pemda.replace(".", "") + f"{rng.randint(1, 5):02d}"
    return f"{wilayah}{day:02d}{born:%m%y}{rng.randint(1, 9999):04d}"


def _request(
    rng: random.Random, ctx: PemdaContext, m: int, kode: str, sla: int, late_share: float, all_days: list[date]
) -> list:
    """[tanggal_masuk, kode_layanan, tanggal_selesai, status, kanal] of one request."""
    cal, cutoff = ctx.cal, date(ctx.tahun, 12, 31)
    kanal = rng.choices(("LOKET", "ONLINE", "MPP"), (55, 30, 15))[0]
    masuk = rng.choice(all_days) if kanal == "ONLINE" and rng.random() < 0.1 else rng.choice(cal.by_month[m])
    days = rng.randint(sla + 1, sla * 2 + 3) if rng.random() < late_share else rng.randint(0, sla)
    selesai: date | None = cal.add_workdays(cal.next_workday(masuk), days)
    status = "DITOLAK" if rng.random() < 0.04 else "SELESAI"
    if status == "SELESAI" and rng.random() < 0.01:
        status, selesai = "DIPROSES", None  # stuck: a backlog past the SLA at the year's cut-off
    if selesai is not None and selesai > cutoff:
        status, selesai = ("DIPROSES" if (cutoff - masuk).days > 3 else "DITERIMA"), None
    return [masuk, kode, selesai, status, kanal]


def _permohonan(ctx: PemdaContext, services: list) -> dict[str, int]:
    """Monthly request files per service OPD (CSV, streamed); returns requests per service."""
    out, t = ctx.out, ctx.tahun
    cols = ["nomor_permohonan", "kode_opd", "kode_layanan", "tanggal_masuk", "tanggal_selesai", "status", "kanal"]
    total_w = sum(s[5] for _i, s in services)
    volumes: dict[str, int] = defaultdict(int)
    by_opd: dict[int, list] = defaultdict(list)
    for i, s in services:
        by_opd[i].append(s)
    days_in_year = [date(t, 1, 1) + timedelta(n) for n in range((date(t + 1, 1, 1) - date(t, 1, 1)).days)]
    by_month_all: dict[int, list[date]] = defaultdict(list)
    for d in days_in_year:
        by_month_all[d.month].append(d)
    for i, rows in sorted(by_opd.items()):
        opd = ctx.opds[i]
        rng = rng_for(ctx.seed, "permohonan", ctx.pemda.kode_pemda, opd.singkatan)
        season = DUKCAPIL_SEASON if opd.singkatan == "DISDUKCAPIL" else ALL_TYPES_SEASON
        identity = rng.random() < 0.15  # this OPD sends applicant identity columns (dropped on landing)
        quota = BadQuota(rng, 0.003)
        prefix = opd.singkatan
        seq = 0
        # one file a month (a quarter at `small`, to keep it fast)
        groups = [[q, q + 1, q + 2] for q in (1, 4, 7, 10)] if out.scale == "small" else [[m] for m in range(1, 13)]
        for months in groups:
            reqs = []
            for m in months:
                for kode, _nm, sla, _b, _d, weight, late_share in rows:
                    share = weight / total_w * season[m - 1] / sum(season)
                    n = round(ctx.size["permohonan"] * share * rng.uniform(0.85, 1.15))
                    volumes[kode] += n
                    for _ in range(n):
                        reqs.append(_request(rng, ctx, m, kode, sla, late_share, by_month_all[m]))
            reqs.sort(key=lambda r: (r[0], r[1]))
            first = months[0]
            style = out.style(ctx.pemda, opd, "permohonan_layanan", allow_xlsx=False, key=str(first))
            extra = ("nama_pemohon", "nik") if identity and first % 4 == 1 else ()
            bad = 0
            name = f"permohonan_{t}-{first:02d}" if len(months) == 1 else f"permohonan_{t}_tw{(first + 2) // 3}"
            with out.open(ctx.pemda, opd, "permohonan_layanan", name, cols, style, extra_columns=extra) as f:
                for masuk, kode, selesai, status, kanal in reqs:
                    seq += 1
                    if status == "SELESAI" and selesai is not None and quota.hit():
                        bad += 1
                        if rng.random() < 0.5:
                            selesai = None  # SELESAI without tanggal_selesai
                        else:
                            selesai = masuk - timedelta(days=rng.randint(1, 5))  # before tanggal_masuk
                    row = {
                        "nomor_permohonan": f"{prefix}/{masuk:%Y%m}/{seq:06d}",
                        "kode_opd": kode_opd_value(opd, style),
                        "kode_layanan": kode,
                        "tanggal_masuk": masuk,
                        "tanggal_selesai": selesai,
                        "status": status,
                        "kanal": kanal,
                    }
                    if extra:
                        jk = rng.choice("LP")
                        row["nama_pemohon"] = nama(rng, jk, ctx.pemda.kode_provinsi)
                        row["nik"] = _nik(rng, ctx, jk)
                    f.write(row)
            out.count("permohonan_layanan", f, bad)
    return volumes


def _survei(ctx: PemdaContext, services: list, volumes: dict[str, int]) -> None:
    out, t, cal = ctx.out, ctx.tahun, ctx.cal
    cols = [
        "tanggal",
        "kode_opd",
        "kode_layanan",
        *(f"u{k}" for k in range(1, 10)),
        "jenis_kelamin",
        "pendidikan",
        "usia",
    ]
    weight = {k: max(v, 1) ** 0.7 for k, v in volumes.items()}  # busy services get more respondents
    total_w = sum(weight.values()) or 1
    rng = rng_for(ctx.seed, "skm-mutu", ctx.pemda.kode_pemda)
    cycle = ["B", "A", "B", "C", "B", "A", "D", "B", "C", "B"]
    rng.shuffle(cycle)
    mutu = {s[0]: cycle[n % len(cycle)] for n, (_i, s) in enumerate(services)}
    slow = {s[0] for _i, s in services if s[6] >= 0.1}
    by_opd: dict[int, list] = defaultdict(list)
    for i, s in services:
        by_opd[i].append(s)
    for i, rows in sorted(by_opd.items()):
        opd = ctx.opds[i]
        rng = rng_for(ctx.seed, "skm", ctx.pemda.kode_pemda, opd.singkatan)
        quota = BadQuota(rng, 0.003)
        for sem, months in ((1, range(1, 7)), (2, range(7, 13))):
            style = out.style(ctx.pemda, opd, "survei_kepuasan", allow_xlsx=not ctx.big, key=str(sem))
            title = [f"HASIL SURVEI KEPUASAN MASYARAKAT {opd.nama_opd.upper()}", f"SEMESTER {sem} TAHUN {t}"]
            bad = 0
            groups = {f"u{k}": "UNSUR PELAYANAN" for k in range(1, 10)} if rng.random() < 0.35 else None
            name = f"skm_{t}_s{sem}"
            with out.open(ctx.pemda, opd, "survei_kepuasan", name, cols, style, title, header_groups=groups) as f:
                for kode, *_rest in rows:
                    share = weight.get(kode, 1) / total_w
                    n = max(3, round(ctx.size["skm"] * share / 2 * rng.uniform(0.8, 1.2)))
                    cls = mutu[kode]
                    p_unsur = [MUTU_P[cls]] * 9
                    if kode in slow:
                        p_unsur[2] = MUTU_P[WORSE[cls]]  # u3 waktu penyelesaian
                        p_unsur[7] = MUTU_P[WORSE[cls]]  # u8 penanganan pengaduan
                    days = sorted(rng.choice(cal.by_month[m]) for m in (rng.choice(list(months)) for _ in range(n)))
                    for day in days:
                        scores = [rng.choices((1, 2, 3, 4), p)[0] for p in p_unsur]
                        if quota.hit():
                            scores[rng.randrange(9)] = 5  # a 1-5 scale app: rejected, not rescaled
                            bad += 1
                        row = {
                            "tanggal": day,
                            "kode_opd": kode_opd_value(opd, style),
                            "kode_layanan": kode,
                            "jenis_kelamin": rng.choice("LP"),
                            "pendidikan": rng.choices(("SD", "SMP", "SMA", "D3", "S1", "S2"), (8, 12, 42, 10, 24, 4))[
                                0
                            ],
                            "usia": rng.randint(17, 72),
                        }
                        row.update({f"u{k}": scores[k - 1] for k in range(1, 10)})
                        f.write(row)
            out.count("survei_kepuasan", f, bad)


def _capaian_spm(ctx: PemdaContext) -> None:
    out, t = ctx.out, ctx.tahun
    rng = rng_for(ctx.seed, "spm", ctx.pemda.kode_pemda)
    pop = POPULASI.get(ctx.pemda.kode_pemda) or rng.randint(120_000, 900_000)
    bidang_of = {k: b for b, k, _n in ctx.ref.spm}
    cols = ["tahun", "bidang", "kode_indikator", "sasaran", "terlayani"]
    assigned = dict(SPM_OPD)
    if ctx.opd("DAMKAR") is None:
        assigned["BPBD"] = assigned["BPBD"] + assigned.pop("DAMKAR")
    for singkatan, codes in assigned.items():
        opd = ctx.opd(singkatan)
        if opd is None:
            continue
        style = out.style(ctx.pemda, opd, "capaian_spm", allow_xlsx=True)
        title = [f"CAPAIAN STANDAR PELAYANAN MINIMAL {opd.nama_opd.upper()}", f"TAHUN {t}"]
        with out.open(ctx.pemda, opd, "capaian_spm", f"spm_{t}", cols, style, title) as f:
            for code in codes:
                sasaran = max(3, round(pop * SPM_RATE[code] * rng.uniform(0.85, 1.15)))
                r = rng.random()
                if code in ("KES-06", "KES-08", "KES-09", "KES-10", "KES-12"):
                    capaian = rng.uniform(0.35, 0.85)  # the hard ones: screening, ODGJ, HIV
                elif r < 0.5:
                    capaian = 1.0
                elif r < 0.85:
                    capaian = rng.uniform(0.85, 1.0)
                else:
                    capaian = rng.uniform(0.5, 0.85)
                f.write({"tahun": t, "bidang": bidang_of[code], "kode_indikator": code, "sasaran": sasaran,
                         "terlayani": min(sasaran, round(sasaran * capaian))})  # fmt: skip
        out.count("capaian_spm", f)


def _pengaduan(ctx: PemdaContext) -> None:
    out, t, cal = ctx.out, ctx.tahun, ctx.cal
    opd = ctx.opd("DISKOMINFO")
    if opd is None:
        return
    rng = rng_for(ctx.seed, "pengaduan", ctx.pemda.kode_pemda)
    cols = ["nomor_tiket", "tanggal", "kode_opd", "kategori", "status", "tanggal_tindak_lanjut"]
    cutoff = date(t, 12, 31)
    seq = 0
    for q in range(1, 5):
        style = out.style(ctx.pemda, opd, "pengaduan", allow_xlsx=not ctx.big, key=str(q))
        title = [f"REKAP PENGADUAN MASYARAKAT (SP4N-LAPOR!) {ctx.nama.upper()}", f"TRIWULAN {q} TAHUN {t}"]
        months = range(3 * q - 2, 3 * q + 1)
        n = round(ctx.size["pengaduan"] / 4 * rng.uniform(0.8, 1.2))
        days = sorted(date(t, m, rng.randint(1, 28)) for m in (rng.choice(list(months)) for _ in range(n)))
        with out.open(ctx.pemda, opd, "pengaduan", f"pengaduan_{t}_tw{q}", cols, style, title) as f:
            for day in days:
                seq += 1
                kategori = rng.choices([k for k, _ in KATEGORI_ADUAN], [w for _, w in KATEGORI_ADUAN])[0]
                tl: date | None = cal.add_workdays(cal.next_workday(day), rng.choice((1, 2, 3, 5, 8, 14, 30)))
                status = "SELESAI" if rng.random() < 0.8 else "DIPROSES"
                if rng.random() < 0.06 or tl is None or tl > cutoff:
                    status, tl = "DITERIMA", None
                f.write({"nomor_tiket": f"LAPOR-{day:%y%m%d}-{seq:05d}", "tanggal": day,
                         "kode_opd": kode_opd_value(opd, style), "kategori": kategori, "status": status,
                         "tanggal_tindak_lanjut": tl})  # fmt: skip
        out.count("pengaduan", f)
