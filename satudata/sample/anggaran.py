"""Anggaran: DPA lines, SP2D payments, revenue and the pemda-level LRA.

Each OPD submits its own `anggaran` (MURNI and PERUBAHAN) and `realisasi_belanja`; revenue is
submitted by the OPD that collects it (BAPENDA taxes, BPKAD transfers, DINKES / RSUD / DISHUB
their retribusi and BLUD); BPKAD submits the `lra`. Patterns: realisasi per line mostly 60-100%
of pagu with a few above 100%, month-end payment peaks and a December rush, personnel SP2D
equal to the pay runs, the LRA Belanja rows equal to the sum of the OPD realisasi.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from satudata.sample.common import PemdaContext, kode_opd_value, rng_for
from satudata.sample.opd_template import Opd

# share of the year's non-personnel payments per month (barang/jasa; modal is later still)
MONTH_WEIGHT = (1, 4, 6, 7, 7, 8, 8, 8, 9, 10, 12, 20)
MONTH_WEIGHT_MODAL = (0, 0, 1, 2, 4, 6, 7, 8, 10, 13, 17, 32)
# non-personnel budget weight per OPD
BUDGET_WEIGHT = {
    "DPUPR": 18, "DISDIK": 14, "DINKES": 10, "RSUD": 9, "BPKAD": 8, "DISPERKIM": 6, "SETDA": 6, "DLH": 5,
    "SETWAN": 5, "DISHUB": 3, "DINSOS": 3, "SATPOLPP": 2, "BPBD": 2, "DISKOMINFO": 2, "BAPENDA": 2,
}  # fmt: skip
MODAL_PREFIX = {
    "DPUPR": ("5.2.04", "5.2.03.01", "5.2.02.01"),
    "DISPERKIM": ("5.2.04", "5.2.03.01", "5.2.01"),
    "DISDIK": ("5.2.03.01.01.0010", "5.2.02.05", "5.2.05.01", "5.2.02.08.03"),
    "DINKES": ("5.2.02.07", "5.2.03.01.01.0006", "5.2.02.02.01"),
    "RSUD": ("5.2.02.07", "5.2.03.01.01.0006"),
    "DISHUB": ("5.2.02.18", "5.2.02.02.01"),
    "DLH": ("5.2.02.02.01.0003", "5.2.03.01.01.0036"),
    "DISKOMINFO": ("5.2.02.10", "5.2.05.08"),
    "DAMKAR": ("5.2.02.05.02.0007", "5.2.02.02.01.0006"),
}
MODAL_DEFAULT = ("5.2.02.05", "5.2.02.10.01")
SPECIAL = {  # (prefix, share of the OPD's budget) for transfers, hibah, bansos, BOS, BLUD, BTT
    "DINSOS": (("5.1.06", 0.45),),
    "BPKAD": (("5.1.05.05", 0.35), ("5.1.05.07", 0.02), ("5.3.01", 0.08)),
    "DISDIK": (("5.1.02.88", 0.25), ("5.1.05.06.02", 0.08)),
    "RSUD": (("5.1.02.99", 0.55),),
}
BARANG_JASA = ("5.1.02.01", "5.1.02.02", "5.1.02.03", "5.1.02.04.01")
TAGS = {
    "STUNTING": ("gizi", "stunting", "ibu hamil", "balita", "sanitasi", "air minum", "keluarga berencana", "anak"),
    "KEMISKINAN_EKSTREM": ("miskin", "rumah tidak layak", "sosial", "jaminan", "disabilitas", "telantar"),
    "INFLASI": ("pangan", "pasar", "harga", "distribusi", "pertanian", "perdagangan", "stabilisasi"),
    "PENGANGGURAN": ("pelatihan", "tenaga kerja", "kerja", "wirausaha", "usaha mikro", "pemagangan"),
}
TAG_OPD = {
    "DINKES": "STUNTING",
    "DP3AP2KB": "STUNTING",
    "DINSOS": "KEMISKINAN_EKSTREM",
    "DISPERKIM": "KEMISKINAN_EKSTREM",
    "DKP": "INFLASI",
    "DISPERINDAG": "INFLASI",
    "DISPERTAN": "INFLASI",
    "DISNAKER": "PENGANGGURAN",
    "DKUKM": "PENGANGGURAN",
}


@dataclass
class Line:
    opd: int
    sub_kegiatan: str
    rekening: str
    pagu: int  # PERUBAHAN (final)
    murni: int | None  # None: added in the PERUBAHAN
    sumber: str
    tagging: str
    only_murni: bool = False  # dropped in the PERUBAHAN


def _round_k(x: float) -> int:
    return int(round(x, -3))


def _pick_sub_kegiatan(ctx: PemdaContext, opd: Opd) -> tuple[list[str], list[str]]:
    """(penunjang codes `.01.`, programme codes) of the urusan-bidang pairs in the OPD code."""
    parts = opd.kode_opd.split(".")
    bidang = tuple(f"{parts[k]}.{parts[k + 1]}" for k in (0, 2, 4) if parts[k + 1] != "00")
    codes = ctx.ref.sub_kegiatan_of(bidang)
    penunjang = [c for c in codes if c.split(".")[2] == "01" and not c.endswith("2.02.0001")]
    program = [c for c in codes if c.split(".")[2] != "01"]
    return penunjang, program


def _gaji_sub_kegiatan(ctx: PemdaContext, opd: Opd) -> str:
    return f"{opd.bidang}.01.2.02.0001"


def _honor_sub_kegiatan(ctx: PemdaContext, opd: Opd) -> str:
    for suffix in ("01.2.08.0004", "01.2.06.0009", "01.2.02.0001"):
        code = f"{opd.bidang}.{suffix}"
        if code in ctx.ref.sub_kegiatan:
            return code
    return _gaji_sub_kegiatan(ctx, opd)


def _tags(rng: random.Random, opd: Opd, uraian: str) -> str:
    text = uraian.lower()
    tags = [t for t, words in TAGS.items() if any(w in text for w in words) and rng.random() < 0.6]
    if TAG_OPD.get(opd.singkatan) and rng.random() < 0.35 and TAG_OPD[opd.singkatan] not in tags:
        tags.append(TAG_OPD[opd.singkatan])
    return ";".join(sorted(tags))


def _build_lines(ctx: PemdaContext) -> list[Line]:
    ref, rng = ctx.ref, rng_for(ctx.seed, "dpa", ctx.pemda.kode_pemda)
    lines: list[Line] = []
    # personnel lines from what was paid (pagu a few percent above)
    pay_total: dict[tuple[int, str], int] = defaultdict(int)
    for i, _day, acc, amount, _jenis in ctx.extra["pay_events"]:
        pay_total[(i, acc)] += amount
    personnel = 0
    paid_keys = set(pay_total)
    for (i, acc), total in sorted(pay_total.items()):
        opd = ctx.opds[i]
        sk = _honor_sub_kegiatan(ctx, opd) if acc.startswith("5.1.02") else _gaji_sub_kegiatan(ctx, opd)
        pagu = _round_k(total * rng.uniform(1.01, 1.08))
        lines.append(Line(i, sk, acc, pagu, _round_k(pagu * rng.uniform(0.96, 1.04)), "DAU", ""))
        personnel += pagu
    # non-personnel lines
    total_np = personnel * rng.uniform(1.4, 1.9)
    weights = [BUDGET_WEIGHT.get(o.singkatan, 0.6 if o.singkatan.startswith("KEC_") else 1.2) for o in ctx.opds]
    wsum = sum(weights)
    n_target = max(len(ctx.opds) * 3, int(ctx.size["dpa"]) - len(lines))
    n_weights = [math.sqrt(w) for w in weights]
    nsum = sum(n_weights)
    for i, opd in enumerate(ctx.opds):
        budget = total_np * weights[i] / wsum
        n = max(3, round(n_target * n_weights[i] / nsum))
        penunjang, program = _pick_sub_kegiatan(ctx, opd)
        pool_sk = program * 2 + penunjang if program else penunjang
        if not pool_sk:
            pool_sk = [_gaji_sub_kegiatan(ctx, opd)]
        specs: list[tuple[str, str, float]] = []  # (sub kegiatan, rekening, weight)
        for prefix, share in SPECIAL.get(opd.singkatan, ()):
            accs = ref.leaves_under(prefix)
            for acc in rng.sample(accs, min(len(accs), 2)):
                specs.append((rng.choice(program or pool_sk), acc, share * budget / min(len(accs), 2)))
        modal = ref.leaves_under(*MODAL_PREFIX.get(opd.singkatan, MODAL_DEFAULT))
        barang = ref.leaves_under(*BARANG_JASA)
        modal_share = (
            0.45 if opd.singkatan in ("DPUPR", "DISPERKIM") else 0.2 if opd.singkatan in MODAL_PREFIX else 0.08
        )
        rest = budget - sum(s[2] for s in specs)
        n_rest = max(1, n - len(specs))
        n_modal = max(1 if modal_share > 0.1 else 0, round(n_rest * modal_share * 0.6))
        raw = [rng.lognormvariate(0, 1.0) for _ in range(n_rest)]
        modal_w = sum(raw[:n_modal]) or 1
        other_w = sum(raw[n_modal:]) or 1
        for k in range(n_rest):
            if k < n_modal:
                acc, amount = rng.choice(modal), rest * modal_share * raw[k] / modal_w
            else:
                acc, amount = rng.choice(barang), rest * (1 - modal_share if n_modal else 1) * raw[k] / other_w
            specs.append((rng.choice(pool_sk), acc, amount))
        seen: set[tuple[str, str]] = set()
        for sk, acc, amount in specs:
            if (sk, acc) in seen or (i, acc) in paid_keys or amount < 5_000_000:
                continue
            seen.add((sk, acc))
            pagu = _round_k(amount)
            murni: int | None = _round_k(pagu * rng.uniform(0.85, 1.1))
            if rng.random() < 0.05:
                murni = None
            sumber = "DAU"
            if acc.startswith("5.2") and opd.singkatan in ("DISDIK", "DINKES", "DPUPR") and rng.random() < 0.5:
                sumber = "DAK Fisik"
            elif acc.startswith("5.1.02.88"):
                sumber = "DAK Non Fisik - BOS"
            elif acc.startswith("5.1.02.99"):
                sumber = "BLUD"
            elif rng.random() < 0.2:
                sumber = rng.choice(("PAD", "DBH", "DAU - Specific Grant"))
            lines.append(Line(i, sk, acc, pagu, murni, sumber, _tags(rng, opd, ref.sub_kegiatan.get(sk, ""))))
            if rng.random() < 0.03:  # a line of the MURNI dropped in the PERUBAHAN
                sk2 = rng.choice(pool_sk)
                if (sk2, acc) not in seen:
                    seen.add((sk2, acc))
                    lines.append(Line(i, sk2, acc, 0, _round_k(pagu * 0.3), sumber, "", only_murni=True))
    return lines


@dataclass
class Sp2d:
    opd: int
    day: date
    sub_kegiatan: str
    rekening: str
    nilai: int
    jenis: str  # LS | GU (realisasi) | UP | TU (uang muka) | CP (pengembalian belanja, subtracted)
    bad: bool = False

    @property
    def realisasi(self) -> int:
        """What the line adds to realisasi as SIPD recognises it (Permendagri 77/2020)."""
        return -self.nilai if self.jenis == "CP" else 0 if self.jenis in ("UP", "TU") else self.nilai


def _payment_days(rng: random.Random, ctx: PemdaContext, k: int, modal: bool, first_month: int) -> list[date]:
    weights = list(MONTH_WEIGHT_MODAL if modal else MONTH_WEIGHT)
    for m in range(first_month - 1):
        weights[m] = 0
    days = []
    for _ in range(k):
        m = rng.choices(range(1, 13), weights)[0]
        wd = ctx.cal.by_month[m]
        if rng.random() < 0.5:
            days.append(rng.choice(wd[-7:]))  # month-end peak
        else:
            days.append(rng.choice(wd))
    return sorted(days)


def _split(rng: random.Random, total: int, k: int) -> list[int]:
    if k <= 1:
        return [total]
    w = [rng.uniform(0.3, 1.0) for _ in range(k)]
    s = sum(w)
    parts = [int(total * x / s) for x in w]
    parts[-1] += total - sum(parts)
    return parts


def _payments(ctx: PemdaContext, lines: list[Line]) -> list[Sp2d]:
    rng = rng_for(ctx.seed, "sp2d", ctx.pemda.kode_pemda)
    out: list[Sp2d] = []
    line_of: dict[tuple[int, str], str] = {}
    for ln in lines:
        if ln.rekening.startswith("5.1.01") or ln.rekening.startswith("5.1.02.02.01.00"):
            line_of.setdefault((ln.opd, ln.rekening), ln.sub_kegiatan)
    for i, day, acc, amount, _jenis in ctx.extra["pay_events"]:
        out.append(Sp2d(i, day, line_of[(i, acc)], acc, amount, "LS"))
    personnel_keys = {(i, acc) for i, _d, acc, _a, _j in ctx.extra["pay_events"]}
    other = [ln for ln in lines if (ln.opd, ln.rekening) not in personnel_keys and not ln.only_murni]
    n_target = max(len(other), int(ctx.size["sp2d"]) - len(out))
    w = [ln.pagu**0.6 for ln in other]
    wsum = sum(w) or 1
    for ln, wt in zip(other, w, strict=True):
        r = rng.random()
        if r < 0.02:
            frac = 0.0
        elif r < 0.05:
            frac = rng.uniform(1.0, 1.16)  # above pagu: a warning, real LRAs show 116%
        elif r < 0.10:
            frac = 1.0
        elif r < 0.22:
            frac = rng.uniform(0.2, 0.6)
        else:
            frac = rng.uniform(0.6, 1.0)
        total = int(ln.pagu * frac)
        if total <= 0:
            continue
        k = max(1, min(int(total // 2_000_000) + 1, round(n_target * wt / wsum)))
        modal = ln.rekening.startswith("5.2")
        first = 10 if ln.murni is None else 2
        parts = _split(rng, total, k)
        for day, nilai in zip(_payment_days(rng, ctx, k, modal, first), parts, strict=True):
            jenis = (
                "LS"
                if modal or nilai > 50_000_000 or ln.rekening.startswith(("5.1.05", "5.1.06"))
                else rng.choice(("GU", "GU", "TU", "LS"))
            )
            if jenis == "TU":  # an advance (uang muka), spent and accounted for (SPJ) by a GU ten days on
                out.append(Sp2d(ln.opd, day, ln.sub_kegiatan, ln.rekening, nilai, "TU"))
                day, jenis = ctx.cal.next_workday(min(day + timedelta(days=10), date(ctx.tahun, 12, 20))), "GU"
            out.append(Sp2d(ln.opd, day, ln.sub_kegiatan, ln.rekening, nilai, jenis))
    # uang persediaan (UP): one advance per OPD early in January, on its largest barang/jasa line
    extra = rng_for(ctx.seed, "sp2d-up", ctx.pemda.kode_pemda)
    for i in sorted({ln.opd for ln in other}):
        barang = [ln for ln in other if ln.opd == i and ln.rekening.startswith("5.1.02")]
        if barang:
            ln = max(barang, key=lambda x: (x.pagu, x.rekening))
            out.append(
                Sp2d(
                    i,
                    ctx.cal.by_month[1][min(2, len(ctx.cal.by_month[1]) - 1)],
                    ln.sub_kegiatan,
                    ln.rekening,
                    _round_k(min(200_000_000, ln.pagu / 12)),
                    "UP",
                )
            )
    # refunds (pengembalian belanja, contra pos): about 1 payment in 40 refunds 5-20% a month or two later
    paid = [p for p in out if p.jenis in ("LS", "GU") and not p.rekening.startswith("5.1.01") and p.day.month < 11]
    for p in paid:
        if extra.random() < 1 / 40:
            day = ctx.cal.next_workday(min(p.day + timedelta(days=extra.randint(20, 60)), date(ctx.tahun, 12, 15)))
            out.append(Sp2d(p.opd, day, p.sub_kegiatan, p.rekening, _round_k(p.nilai * extra.uniform(0.05, 0.2)), "CP"))
    # a payment to an account the DPA does not have (warning: no pagu)
    for _ in range(rng.randint(1, 2)):
        ln = rng.choice(other)
        acc = rng.choice(ctx.ref.leaves_under("5.1.02.01"))
        if (ln.sub_kegiatan, acc) not in {(x.sub_kegiatan, x.rekening) for x in lines if x.opd == ln.opd}:
            out.append(Sp2d(ln.opd, rng.choice(ctx.cal.by_month[rng.randint(3, 11)]), ln.sub_kegiatan, acc,
                            _round_k(rng.uniform(2e6, 2e7)), "GU"))  # fmt: skip
    # deliberate fatal rows, about 0.3%: nilai 0 or negative, or a date outside the year
    sources = [s for s in out if not s.rekening.startswith("5.1.01") and s.jenis in ("LS", "GU")]
    for _ in range(max(1, round(len(out) * 0.003))):
        src = rng.choice(sources)
        kind = rng.random()
        if kind < 0.6:
            bad = Sp2d(src.opd, src.day, src.sub_kegiatan, src.rekening, rng.choice((0, -src.nilai)), src.jenis, True)
        else:
            day = ctx.cal.next_workday(date(ctx.tahun + 1, 1, rng.randint(2, 20)))
            bad = Sp2d(src.opd, day, src.sub_kegiatan, src.rekening, src.nilai, src.jenis, True)
        out.append(bad)
    out.sort(key=lambda s: (s.day, s.opd, s.rekening, s.nilai))
    return out


def _nomor(ctx: PemdaContext, seq: int, s: Sp2d) -> str:
    """SIPD-RI numbers carry the jenis (`.../LS/...`); a refund is booked on an STS (`/CP/`, contra pos)."""
    kind = "STS" if s.jenis == "CP" else "04.0"
    return f"{ctx.pemda.kode_pemda}/{kind}/{seq:06d}/{s.jenis}/{ctx.opds[s.opd].kode_opd}/M/{s.day.month}/{s.day.year}"


def generate_anggaran(ctx: PemdaContext) -> None:
    lines = _build_lines(ctx)
    sp2d = _payments(ctx, lines)
    _write_anggaran(ctx, lines)
    _write_anggaran_kas(ctx, lines)
    _write_realisasi(ctx, sp2d)
    revenue = _pendapatan(ctx, sum(ln.pagu for ln in lines))
    _lra(ctx, lines, sp2d, revenue)


# the date each tahapan took effect, when a pemda's DPA export states it (half of them do not:
# the warehouse then takes MURNI from 1 January and PERUBAHAN from 1 October)
BERLAKU = {"MURNI": (1, 2), "PERUBAHAN": (9, 16)}


def _write_anggaran(ctx: PemdaContext, lines: list[Line]) -> None:
    out, t, ref = ctx.out, ctx.tahun, ctx.ref
    dated = rng_for(ctx.seed, "dpa-berlaku", ctx.pemda.kode_pemda).random() < 0.5
    cols = [
        "tahun",
        "versi",
        *(["tanggal_berlaku"] if dated else []),
        "kode_opd",
        "kode_sub_kegiatan",
        "nama_sub_kegiatan",
        "kode_rekening",
        "uraian_rekening",
        "pagu",
        "sumber_dana",
        "tagging",
    ]
    by_opd: dict[int, list[Line]] = defaultdict(list)
    for ln in lines:
        by_opd[ln.opd].append(ln)
    for i, opd in enumerate(ctx.opds):
        rows = sorted(by_opd[i], key=lambda ln: (ln.sub_kegiatan, ln.rekening))
        for versi in ("MURNI", "PERUBAHAN"):
            style = out.style(ctx.pemda, opd, "anggaran", allow_xlsx=True, key=versi)
            title = [f"DOKUMEN PELAKSANAAN ANGGARAN ({'DPA' if versi == 'MURNI' else 'DPPA'}) {opd.nama_opd.upper()}",
                     f"TAHUN ANGGARAN {t}"]  # fmt: skip
            with out.open(ctx.pemda, opd, "anggaran", f"dpa_{versi.lower()}_{t}", cols, style, title) as f:
                for ln in rows:
                    pagu = ln.murni if versi == "MURNI" else (None if ln.only_murni else ln.pagu)
                    if pagu is None:
                        continue
                    tagging = (
                        ln.tagging.replace(";", "; ") if style.delimiter == "," and style.fmt == "csv" else ln.tagging
                    )
                    f.write(
                        {
                            "tahun": t,
                            "versi": versi,
                            **({"tanggal_berlaku": date(t, *BERLAKU[versi])} if dated else {}),
                            "kode_opd": kode_opd_value(opd, style),
                            "kode_sub_kegiatan": ln.sub_kegiatan,
                            "nama_sub_kegiatan": ref.sub_kegiatan.get(ln.sub_kegiatan),
                            "kode_rekening": ln.rekening,
                            "uraian_rekening": ref.rekening.get(ln.rekening, ("", 0))[0],
                            "pagu": pagu,
                            "sumber_dana": ln.sumber,
                            "tagging": tagging or None,
                        }
                    )
            out.count("anggaran", f)


# SIPD Anggaran Kas labels the tahapan as the Perkada does; the warehouse maps them (clean_versi)
KAS_LABEL = {"MURNI": "Penetapan APBD", "PERUBAHAN": "APBD-P"}
MONTH_WEIGHT_PEGAWAI = (1,) * 12


def _plan(pagu: int, weights: tuple[int, ...]) -> list[int]:
    """A line's pagu spread over the twelve months by weight, in thousands; the months sum to the pagu."""
    total = sum(weights)
    months = [_round_k(pagu * w / total) for w in weights]
    last = max(range(12), key=lambda m: (weights[m], m))
    months[last] += pagu - sum(months)
    return months


def _write_anggaran_kas(ctx: PemdaContext, lines: list[Line]) -> None:
    """Each OPD's anggaran kas per tahapan: every DPA line's pagu planned over the months as the OPD
    pays (personnel flat, barang/jasa and modal later in the year). About one line in 200 plans a
    million less than its pagu (KAS-003, a warning)."""
    out, t = ctx.out, ctx.tahun
    rng = rng_for(ctx.seed, "anggaran-kas", ctx.pemda.kode_pemda)
    cols = ["tahun", "versi", "kode_opd", "kode_sub_kegiatan", "kode_rekening", "bulan", "rencana"]
    by_opd: dict[int, list[Line]] = defaultdict(list)
    for ln in lines:
        by_opd[ln.opd].append(ln)
    for i, opd in enumerate(ctx.opds):
        rows = sorted(by_opd[i], key=lambda ln: (ln.sub_kegiatan, ln.rekening))
        if not rows:
            continue
        for versi in ("MURNI", "PERUBAHAN"):
            style = out.style(ctx.pemda, opd, "anggaran_kas", allow_xlsx=True, key=versi)
            title = [f"ANGGARAN KAS {opd.nama_opd.upper()}", f"TAHUN ANGGARAN {t} ({KAS_LABEL[versi]})"]
            with out.open(ctx.pemda, opd, "anggaran_kas", f"anggaran_kas_{versi.lower()}_{t}", cols, style, title) as f:
                for ln in rows:
                    pagu = ln.murni if versi == "MURNI" else (None if ln.only_murni else ln.pagu)
                    if not pagu:
                        continue
                    weights = (
                        MONTH_WEIGHT_PEGAWAI
                        if ln.rekening.startswith("5.1.01")
                        else MONTH_WEIGHT_MODAL
                        if ln.rekening.startswith("5.2")
                        else MONTH_WEIGHT
                    )
                    plan = _plan(pagu, weights)
                    if rng.random() < 1 / 200 and plan[11] >= 1_000_000:
                        plan[11] -= 1_000_000
                    for bulan, rencana in enumerate(plan, start=1):
                        if rencana:
                            f.write(
                                {
                                    "tahun": t,
                                    "versi": KAS_LABEL[versi],
                                    "kode_opd": kode_opd_value(opd, style),
                                    "kode_sub_kegiatan": ln.sub_kegiatan,
                                    "kode_rekening": ln.rekening,
                                    "bulan": bulan,
                                    "rencana": rencana,
                                }
                            )
            out.count("anggaran_kas", f)


def _write_realisasi(ctx: PemdaContext, sp2d: list[Sp2d]) -> None:
    out, t = ctx.out, ctx.tahun
    cols = ["tahun", "nomor_sp2d", "tanggal_sp2d", "kode_opd", "kode_sub_kegiatan", "kode_rekening", "nilai"]
    numbered = [(_nomor(ctx, n, s), s) for n, s in enumerate(sp2d, start=1)]
    for i, opd in enumerate(ctx.opds):
        rows = [(no, s) for no, s in numbered if s.opd == i]
        if not rows:
            continue
        semester = rng_for(ctx.seed, "sp2d-files", ctx.pemda.kode_pemda, opd.singkatan).random() < 0.3
        parts = [(f"sp2d_{t}_s1", 1, 6), (f"sp2d_{t}_s2", 7, 13)] if semester else [(f"sp2d_{t}", 1, 13)]
        for name, lo, hi in parts:
            style = out.style(ctx.pemda, opd, "realisasi_belanja", allow_xlsx=False, key=name)
            bad = 0
            with out.open(ctx.pemda, opd, "realisasi_belanja", name, cols, style) as f:
                for no, s in rows:
                    month = 13 if s.day.year > t else s.day.month
                    if not lo <= month <= hi:
                        continue
                    bad += s.bad
                    f.write(
                        {
                            "tahun": t,
                            "nomor_sp2d": no,
                            "tanggal_sp2d": s.day,
                            "kode_opd": kode_opd_value(opd, style),
                            "kode_sub_kegiatan": s.sub_kegiatan,
                            "kode_rekening": s.rekening,
                            "nilai": s.nilai,
                        }
                    )
            out.count("realisasi_belanja", f, bad)
    ctx.extra["realisasi_total"] = sum(s.realisasi for s in sp2d if not s.bad)


# ---- revenue ----------------------------------------------------------------------------------

# (collecting OPD, account, share of total revenue, monthly profile)
REVENUE = (
    ("BAPENDA", "4.1.01.09", 0.006, "flat"),
    ("BAPENDA", "4.1.01.12", 0.003, "flat"),
    ("BAPENDA", "4.1.01.15", 0.030, "pbb"),
    ("BAPENDA", "4.1.01.16", 0.035, "random"),
    ("DINKES", "4.1.02.01.01.0006", 0.008, "flat"),
    ("DISHUB", "4.1.02.03.03.0001", 0.001, "flat"),
    ("RSUD", "4.1.04.16.01.0001", 0.040, "flat"),
    ("BPKAD", "4.1.04.05.01.0001", 0.004, "flat"),
    ("BPKAD", "4.2.01.01.02.0001", 0.560, "dau"),
    ("BPKAD", "4.2.01.01.01.0001", 0.010, "quarter"),
    ("BPKAD", "4.2.01.01.01.0002", 0.020, "quarter"),
    ("BPKAD", "4.2.01.01.01.0004", 0.006, "quarter"),
    ("BPKAD", "4.2.01.01.03.0013", 0.030, "dak"),
    ("BPKAD", "4.2.01.01.04.0001", 0.060, "bos"),
    ("BPKAD", "4.2.01.01.04.0017", 0.002, "dak"),
)
PROFILES = {
    "flat": (8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 12),
    "pbb": (2, 3, 4, 5, 6, 8, 12, 22, 24, 6, 4, 4),
    "random": (8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8),
    "dau": (1,) * 12,
    "quarter": (0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1),
    "dak": (0, 0, 0, 3, 0, 0, 4, 0, 0, 3, 0, 0),
    "bos": (1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0),
}


def _pendapatan(ctx: PemdaContext, belanja_pagu: int) -> dict[str, tuple[int, int]]:
    """Write revenue files; return account -> (annual target, annual realisasi)."""
    out, t = ctx.out, ctx.tahun
    rng = rng_for(ctx.seed, "pendapatan", ctx.pemda.kode_pemda)
    total = belanja_pagu * rng.uniform(0.96, 1.01)
    cols = ["tahun", "bulan", "kode_opd", "kode_rekening", "target", "realisasi"]
    result: dict[str, tuple[int, int]] = {}
    by_opd: dict[str, list[dict]] = defaultdict(list)
    for singkatan, acc, share, profile in REVENUE:
        if ctx.opd(singkatan) is None:
            continue
        annual = total * share * rng.uniform(0.8, 1.2)
        prof = PROFILES[profile]
        psum = sum(prof)
        achieve = rng.uniform(0.82, 1.08)
        t_sum = r_sum = 0
        for m in range(1, 13):
            target = _round_k(annual * prof[m - 1] / psum)
            if profile == "random":
                real = _round_k(target * rng.uniform(0.3, 1.9) * achieve)
            elif profile in ("dau", "quarter", "dak", "bos"):
                real = target if prof[m - 1] and rng.random() < 0.9 else _round_k(target * rng.uniform(0.5, 1.0))
                if profile == "dak" and m == 10:
                    real = _round_k(target * rng.uniform(0.4, 0.9))  # the last tranche not fully paid
            else:
                real = _round_k(target * rng.uniform(0.8, 1.15) * achieve)
            if target == 0 and real == 0:
                continue
            by_opd[singkatan].append(
                {"tahun": t, "bulan": m, "kode_rekening": acc, "target": target, "realisasi": real}
            )
            t_sum, r_sum = t_sum + target, r_sum + real
        result[acc] = (t_sum, r_sum)
    for singkatan, rows in sorted(by_opd.items()):
        opd = ctx.opd(singkatan)
        assert opd is not None
        style = out.style(ctx.pemda, opd, "pendapatan", allow_xlsx=True)
        title = [f"LAPORAN TARGET DAN REALISASI PENDAPATAN {opd.nama_opd.upper()}", f"TAHUN ANGGARAN {t}"]
        with out.open(ctx.pemda, opd, "pendapatan", f"pendapatan_{t}", cols, style, title) as f:
            for row in sorted(rows, key=lambda r: (r["bulan"], r["kode_rekening"])):
                f.write({**row, "kode_opd": kode_opd_value(opd, style)})
        out.count("pendapatan", f)
    return result


# ---- LRA ---------------------------------------------------------------------------------------


def _shown(codes: list[str], amounts: dict[str, int], unit: int) -> dict[str, int]:
    """Amounts in hundredths of the unit shown, rounded so that every parent shows exactly the sum
    of its children (largest remainder), as a well-formed LRA does."""
    shown: dict[str, int] = {}
    for code in codes:  # parents come before children
        if "." not in code:
            shown[code] = round(Decimal(amounts[code]) * 100 / unit)
    for parent in codes:
        children = [c for c in codes if c.rsplit(".", 1)[0] == parent and "." in c]
        if not children:
            continue
        exact = [Decimal(amounts[c]) * 100 / unit for c in children]
        floor = [math.floor(x) for x in exact]
        short = shown[parent] - sum(floor)
        order = sorted(range(len(children)), key=lambda k: (floor[k] - exact[k], children[k]))
        for n, k in enumerate(order):
            shown[children[k]] = floor[k] + (1 if n < short else 0)  # short >= 0: parent >= sum of floors
    return shown


def _unit(hundredths: int, unit: int) -> str:
    """`970,40 M` (miliar) or `850,25 Jt` (juta)."""
    neg, v = hundredths < 0, abs(hundredths)
    whole = f"{v // 100:,}".replace(",", ".")
    return f"{'-' if neg else ''}{whole},{v % 100:02d} {'M' if unit == 1_000_000_000 else 'Jt'}"


def _lra(ctx: PemdaContext, lines: list[Line], sp2d: list[Sp2d], revenue: dict[str, tuple[int, int]]) -> None:
    out, t, ref = ctx.out, ctx.tahun, ctx.ref
    bpkad = ctx.opd("BPKAD")
    if bpkad is None:
        return
    anggaran: dict[str, int] = defaultdict(int)
    realisasi: dict[str, int] = defaultdict(int)

    def add(code: str, a: int, r: int) -> None:
        parts = code.split(".")
        for n in (1, 2, 3):
            key = ".".join(parts[:n])
            anggaran[key] += a
            realisasi[key] += r

    for ln in lines:
        if not ln.only_murni:
            add(ln.rekening, ln.pagu, 0)
    for s in sp2d:
        if not s.bad:
            add(s.rekening, 0, s.realisasi)
    for acc, (target, real) in revenue.items():
        add(acc, target, real)
    codes = sorted(anggaran, key=lambda c: [int(x) for x in c.split(".")])
    unit_style = rng_for(ctx.seed, "lra", ctx.pemda.kode_pemda).random() < 0.75
    unit = 1_000_000_000 if max(anggaran.values()) >= 10**11 else 1_000_000
    shown_a = _shown(codes, anggaran, unit)
    shown_r = _shown(codes, realisasi, unit)
    style = out.style(ctx.pemda, bpkad, "lra", allow_xlsx=True)
    nama = ctx.nama.upper()
    title = ["LAPORAN REALISASI ANGGARAN", f"PEMERINTAH {nama}", f"TAHUN ANGGARAN {t}"]
    cols = ["tahun", "akun", "anggaran", "realisasi", "persentase"]
    with out.open(ctx.pemda, bpkad, "lra", f"lra_{t}", cols, style, title) as f:
        for code in codes:
            uraian = ref.rekening.get(code, (code, 0))[0]
            depth = code.count(".")
            a, r = anggaran[code], realisasi[code]
            pct = (Decimal(r * 100) / Decimal(a)).quantize(Decimal("0.01"), ROUND_HALF_UP) if a else None
            if unit_style:
                f.write({"tahun": t, "akun": "    " * depth + uraian, "anggaran": _unit(shown_a[code], unit),
                         "realisasi": _unit(shown_r[code], unit),
                         "persentase": str(pct).replace(".", ",") if pct is not None else "-"})  # fmt: skip
            else:
                f.write({"tahun": t, "akun": "  " * depth + uraian, "anggaran": a, "realisasi": r, "persentase": pct})
    out.count("lra", f)
    ctx.extra["lra_belanja"] = realisasi.get("5", 0)


def last_day(t: int, m: int) -> date:
    return (date(t, m, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
