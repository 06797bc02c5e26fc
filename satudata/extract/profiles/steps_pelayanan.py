"""Profile steps of the pelayanan domain: e-SKM respondent exports (survei_kepuasan).

An e-SKM app exports one row per respondent. What differs from the standard's columns, and what
these steps turn into it:

- answers as letters ``a``-``d`` (the order of the PermenPAN-RB 14/2017 questionnaire: ``a`` the
  worst, ``d`` the best, so a=1 ... d=4), or as the questionnaire's label for that unsur (``Sangat
  sesuai``, ``Kurang mudah``, ``Gratis``...), or both (``c. Sesuai``); see :data:`JAWABAN`. Which
  question of the export is which unsur is declared by the profile's ``columns`` (some apps ask
  sarana before pengaduan: their P8 is the standard's u9). A value that is none of these (``e``,
  a 1-5 scale, another unsur's label, a letter contradicting its label) is left as written: the
  row checks quarantine it (SKM-001 / not an integer). Nothing is ever rescaled.
- the service by name instead of kode_layanan (:func:`skm_layanan`);
- age as a range (``25-34 tahun``): :func:`skm_usia`;
- education as a bucket (``SMA/SMK/Sederajat``, ``S2 ke atas``): :func:`skm_pendidikan`.
"""

from __future__ import annotations

import re
from typing import Any

from satudata.extract.profiles import FileContext, blank, step

UNSUR = tuple(f"u{i}" for i in range(1, 10))

# PermenPAN-RB 14/2017, Lampiran (contoh kuesioner): the four answers of each unsur, worst first
# (score 1 to 4). Keys are the standard's unsur (dbt seed skm_unsur: u8 pengaduan, u9 sarana).
JAWABAN: dict[str, tuple[str, str, str, str]] = {
    "u1": ("tidak sesuai", "kurang sesuai", "sesuai", "sangat sesuai"),  # persyaratan
    "u2": ("tidak mudah", "kurang mudah", "mudah", "sangat mudah"),  # sistem, mekanisme dan prosedur
    "u3": ("tidak cepat", "kurang cepat", "cepat", "sangat cepat"),  # waktu penyelesaian
    "u4": ("sangat mahal", "cukup mahal", "murah", "gratis"),  # biaya/tarif
    "u5": ("tidak sesuai", "kurang sesuai", "sesuai", "sangat sesuai"),  # produk spesifikasi jenis pelayanan
    "u6": ("tidak kompeten", "kurang kompeten", "kompeten", "sangat kompeten"),  # kompetensi pelaksana
    "u7": ("tidak sopan dan ramah", "kurang sopan dan ramah", "sopan dan ramah", "sangat sopan dan ramah"),
    "u8": ("tidak ada", "ada tetapi tidak berfungsi", "berfungsi kurang maksimal", "dikelola dengan baik"),
    "u9": ("buruk", "cukup", "baik", "sangat baik"),  # sarana dan prasarana
}
# the summary words many apps print for any unsur (the questionnaire's mutu categories)
JAWABAN_UMUM = (
    ("tidak baik", "tidak puas"),
    ("kurang baik", "kurang puas"),
    ("baik", "puas"),
    ("sangat baik", "sangat puas"),
)
HURUF = {"a": 1, "b": 2, "c": 3, "d": 4}

_LETTER_LABEL = re.compile(r"^\(?([a-d])\s*[.):]\s*(.*)$", re.IGNORECASE)


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


_LABELS: dict[str, dict[str, int]] = {
    unsur: {
        **{_key(w): s for s, words in enumerate(JAWABAN_UMUM, 1) for w in words},
        **{_key(label): s for s, label in enumerate(labels, 1)},
    }
    for unsur, labels in JAWABAN.items()
}


def skor_jawaban(unsur: str, value: object) -> object:
    """The 1-4 score of an answer to ``unsur``; the value itself when it is not a letter or label of it."""
    if blank(value) or isinstance(value, int | float) or not isinstance(value, str):
        return value
    text = value.strip()
    letter = text.lower().rstrip(".)")
    if letter in HURUF:
        return str(HURUF[letter])
    m = _LETTER_LABEL.match(text)
    if m:  # "c. Sesuai": the letter and the label must agree
        by_letter, rest = HURUF[m.group(1).lower()], m.group(2).strip()
        if not rest or _LABELS[unsur].get(_key(rest)) == by_letter:
            return str(by_letter)
        return value
    score = _LABELS[unsur].get(_key(text))
    return str(score) if score is not None else value


@step("skm_jawaban")
def skm_jawaban(row: dict[str, Any], ctx: FileContext) -> None:
    """Letters a-d and PermenPAN-RB 14/2017 labels of u1..u9 -> scores 1-4 (see the module doc)."""
    for unsur in UNSUR:
        if unsur in row:
            row[unsur] = skor_jawaban(unsur, row[unsur])
    return None


_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|–|—|s\.?\s*d\.?|sampai|hingga|to)\s*(\d{1,3})$")
_ABOVE = re.compile(
    r"^(?:>=|≥|=>|>|lebih dari|di atas|diatas|minimal)\s*(\d{1,3})$|^(\d{1,3})\s*(?:\+|ke atas|keatas|"
    r"atau lebih|lebih)$"
)
_BELOW = re.compile(
    r"^(?:<=|≤|=<|<|kurang dari|di bawah|dibawah|maksimal)\s*(\d{1,3})$|^(\d{1,3})\s*(?:ke bawah|"
    r"kebawah|atau kurang)$"
)
_UNIT = re.compile(r"\b(?:tahun|thn|th|tahunan)\b\.?", re.IGNORECASE)


def usia_dari_rentang(value: object) -> object:
    """An age range as one integer: the range's lower bound (``25-34 tahun`` -> 25, ``> 50`` -> 51,
    ``50 tahun ke atas`` -> 50); a range with no lower bound (``< 20``, ``20 ke bawah``) -> its upper
    bound (19, 20). The value is always inside the range, so counts by the app's age buckets are kept;
    a mean age is biased low. A single age (``31 tahun``) -> 31. Anything else is left as written (a
    finding of the row checks)."""
    if blank(value) or not isinstance(value, str):
        return value
    text = " ".join(_UNIT.sub(" ", value.lower()).split())
    if re.fullmatch(r"\d{1,3}", text):
        return text
    if m := _RANGE.match(text):
        return str(min(int(m.group(1)), int(m.group(2))))
    if m := _ABOVE.match(text):
        n = int(m.group(1) or m.group(2))
        strict = text.startswith((">", "lebih dari", "di atas", "diatas")) and not text.startswith(">=")
        return str(n + 1 if strict else n)
    if m := _BELOW.match(text):
        n = int(m.group(1) or m.group(2))
        strict = text.startswith(("<", "kurang dari", "di bawah", "dibawah")) and not text.startswith("<=")
        return str(n - 1 if strict else n)
    return value


@step("skm_usia")
def skm_usia(row: dict[str, Any], ctx: FileContext, column: str = "usia") -> None:
    """``usia`` written as a range -> one integer (:func:`usia_dari_rentang`)."""
    if column in row:
        row[column] = usia_dari_rentang(row[column])
    return None


# education levels named in a bucket's text (SD, SMP, SMA, D1-D4, S1-S3: the standard's list)
_I = re.IGNORECASE
_JENJANG = (
    (re.compile(r"\b(?:sd|mi|sekolah dasar)\b", _I), "SD"),
    (re.compile(r"\b(?:smp|sltp|mts)\b", _I), "SMP"),
    (re.compile(r"\b(?:sma|smk|slta|ma|smu|stm)\b", _I), "SMA"),
    # D1-D4: digits in any case; roman numerals in capitals only ("di" is a word)
    (re.compile(r"\b(?:[dD][\s.-]?1|D[\s.-]?I|diploma\s*(?:1|I))\b"), "D1"),
    (re.compile(r"\b(?:[dD][\s.-]?2|D[\s.-]?II|diploma\s*(?:2|II))\b"), "D2"),
    (re.compile(r"\b(?:[dD][\s.-]?3|D[\s.-]?III|diploma\s*(?:3|III)|sarjana muda)\b", _I), "D3"),
    (re.compile(r"\b(?:[dD][\s.-]?4|D[\s.-]?IV|diploma\s*(?:4|IV)|sarjana terapan)\b", _I), "D4"),
    (re.compile(r"\b(?:s[\s.-]?1|sarjana(?!\s*(?:muda|terapan)))\b", _I), "S1"),
    (re.compile(r"\b(?:s[\s.-]?2|magister|pascasarjana)\b", _I), "S2"),
    (re.compile(r"\b(?:s[\s.-]?3|doktor)\b", _I), "S3"),
)
_RANGE_OF_LEVELS = re.compile(r"\b([ds])\s*(\d)\s*(?:-|–|s\.?d\.?|sampai)\s*(?:[ds]\s*)?(\d)\b")


def pendidikan_dari_kelompok(value: object) -> object:
    """An education bucket that names one level -> that level (``SMA/SMK/Sederajat`` -> SMA, ``SD ke
    bawah`` -> SD, ``S2 ke atas`` -> S2, ``Sarjana (S1)`` -> S1, ``Diploma III/Sarjana Muda`` -> D3).
    A bucket naming several levels (``D1-D3``, ``D4/S1``) is left as written: it is counted
    TIDAK_DIKETAHUI with a warning (FMT-004), never given a level the respondent may not have."""
    if blank(value) or not isinstance(value, str):
        return value
    if _RANGE_OF_LEVELS.search(value.lower()):
        return value
    found = {code for pattern, code in _JENJANG if pattern.search(value)}
    return found.pop() if len(found) == 1 else value


@step("skm_pendidikan")
def skm_pendidikan(row: dict[str, Any], ctx: FileContext, column: str = "pendidikan") -> None:
    """``pendidikan`` written as an app's bucket -> the standard's level (:func:`pendidikan_dari_kelompok`)."""
    if column in row:
        row[column] = pendidikan_dari_kelompok(row[column])
    return None


def _nama_key(value: object) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", str(value).lower()).split())


@step("skm_layanan")
def skm_layanan(row: dict[str, Any], ctx: FileContext, source: str = "_nama_layanan") -> None:
    """kode_layanan from the service's name (``source``) when the export gives no code.

    The name is looked up in ``ctx.state["jenis_layanan"]`` (name -> kode_layanan of the OPD's service
    standard, compared case-, space- and punctuation-insensitively) when the loader provides it. A name
    not found there is kept as the kode_layanan, and the file gets one warning listing those names: the
    respondents still count for the OPD's IKM, and per service under the name the app wrote.
    """
    if not blank(row.get("kode_layanan")):
        return None
    name = row.get(source)
    if blank(name):
        return None
    name = " ".join(str(name).split())
    known: dict[str, str] = ctx.state.get("jenis_layanan") or {}
    lookup = ctx.state.get(("skm_layanan", "keys"))
    if lookup is None:
        lookup = ctx.state[("skm_layanan", "keys")] = {_nama_key(k): v for k, v in known.items()}
    kode = lookup.get(_nama_key(name))
    if kode is not None:
        row["kode_layanan"] = kode
        return None
    row["kode_layanan"] = name
    unknown: set[str] = ctx.state.setdefault(("skm_layanan", "unknown"), set())
    if name not in unknown:
        unknown.add(name)
        message = (
            "layanan ditulis dengan nama, tidak ditemukan di jenis_layanan OPD; nama dipakai sebagai kode_layanan: "
            f"{name} / service given by name, not found in the OPD's jenis_layanan; the name is kept as kode_layanan"
        )
        ctx.warnings.append(message)
    return None
