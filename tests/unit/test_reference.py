"""Onboarding a pemda (satudata/reference.py): OPD list and unit crosswalk validation, errors that name
file, row and column, the finance OPD, and the unit crosswalk API the profile steps call."""

from __future__ import annotations

import pytest

from satudata import reference
from satudata.reference import (
    OnboardingError,
    Opd,
    PemdaReference,
    Unit,
    UnitResolver,
    parse_opd_list,
    parse_unit_list,
    resolve_unit,
    use_reference,
)

OPD_CSV = (
    "kode_opd;singkatan;nama_opd\n"
    "1.02.0.00.0.00.01.0000;DINKES;Dinas Kesehatan Kabupaten Trenggalek\n"
    "1.01.0.00.0.00.01.0000;DISDIKBUD;Dinas Pendidikan dan Kebudayaan\n"
    "5.02.0.00.0.00.01.0000;BPKAD;Badan Pengelolaan Keuangan dan Aset Daerah\n"
    "5.03.0.00.0.00.01.0000;BKPSDM;Badan Kepegawaian dan Pengembangan SDM\n"
    "7.01.0.00.0.00.01.0000;KEC_TRENGGALEK;Kecamatan Trenggalek\n"
)


def test_an_opd_list_in_the_simple_layout_is_read():
    # Given the simple sheet kode_opd;singkatan;nama_opd of a pemda that is not a seed city
    # When it is validated
    opd = parse_opd_list("35.03", OPD_CSV.encode())
    # Then every row is an OPD of that pemda, singkatan upper case
    assert [o.singkatan for o in opd] == ["DINKES", "DISDIKBUD", "BPKAD", "BKPSDM", "KEC_TRENGGALEK"]
    assert opd[0] == Opd("35.03", "1.02.0.00.0.00.01.0000", "DINKES", "Dinas Kesehatan Kabupaten Trenggalek")


def test_the_sipd_list_with_its_own_headers_comma_and_bom_is_read():
    # Given the SIPD SKPD list as exported (its own header names, commas, a UTF-8 BOM, lower-case singkatan)
    data = ("\ufeffKode Unit SKPD,Nama SKPD,Akronim\n1.02.0.00.0.00.01.0000,Dinas Kesehatan,dinkes\n").encode()
    # When it is validated
    opd = parse_opd_list("35.03", data)
    # Then the columns are found by their names, wherever they stand
    assert opd == [Opd("35.03", "1.02.0.00.0.00.01.0000", "DINKES", "Dinas Kesehatan")]


def test_every_problem_names_file_row_and_column_in_both_languages():
    # Given a list with a bad SIPD code, a repeated code, a repeated singkatan, a bad singkatan, a blank name
    data = (
        b"kode_opd;singkatan;nama_opd\n"
        b"1.02.0.00.0.00.01.0000;DINKES;Dinas Kesehatan\n"
        b"1.2.0.00.0.00.01;DISDIK;Dinas Pendidikan\n"
        b"1.02.0.00.0.00.01.0000;DINKES2;Dinas Kesehatan lagi\n"
        b"2.09.0.00.0.00.01.0000;dinkes;Dinas Ketahanan Pangan\n"
        b"2.10.0.00.0.00.01.0000;DINAS PMD;\n"
    )
    # When it is validated
    with pytest.raises(OnboardingError) as e:
        parse_opd_list("35.03", data, "35.03/_referensi/opd.csv")
    problems = e.value.problems
    # Then each problem is reported once, with file, row and column, Indonesian and English
    assert len(problems) == 5, problems
    assert problems[0].startswith(
        "35.03/_referensi/opd.csv row 3 column kode_opd: '1.2.0.00.0.00.01' is not a SIPD unit code"
    )
    assert "baris 3 kolom kode_opd" in problems[0] and "bukan kode unit SIPD" in problems[0]
    assert "row 4 column kode_opd: 1.02.0.00.0.00.01.0000 repeats row 2" in problems[1]
    assert "row 5 column singkatan: DINKES repeats row 2" in problems[2]
    assert "row 6 column singkatan: 'DINAS PMD' is not a singkatan" in problems[3]
    assert "row 6 column nama_opd: empty" in problems[4] and "kolom nama_opd: kosong" in problems[4]


@pytest.mark.parametrize(
    ("kode_pemda", "fragment"),
    [
        ("35.99", "pemda 35.99 is not in pemda.csv"),
        ("18.72", "is a seed city; its OPD list is dbt_project/seeds/opd.csv"),
    ],
)
def test_a_pemda_not_in_pemda_csv_or_a_seed_city_is_refused(kode_pemda, fragment):
    with pytest.raises(OnboardingError) as e:
        parse_opd_list(kode_pemda, OPD_CSV.encode())
    assert fragment in e.value.problems[0]


def test_a_missing_column_and_an_empty_file_are_refused():
    with pytest.raises(OnboardingError) as e:
        parse_opd_list("35.03", b"kode_opd;nama_opd\n1.02.0.00.0.00.01.0000;Dinas Kesehatan\n", "opd.csv")
    assert e.value.problems == [
        "opd.csv row 1: missing column(s) singkatan (header: kode_opd; nama_opd) / "
        "opd.csv baris 1: kolom singkatan tidak ada"
    ]
    with pytest.raises(OnboardingError, match="the file is empty"):
        parse_opd_list("35.03", b"\n\n", "opd.csv")
    with pytest.raises(OnboardingError, match="no rows under the header"):
        parse_opd_list("35.03", b"kode_opd;singkatan;nama_opd\n", "opd.csv")


UNIT_CSV = (
    "nama_unit;kode_unit;jenis_unit;induk\n"
    "UPTD Puskesmas Trenggalek;1.02.0.00.0.00.01.0001;PUSKESMAS;DINKES\n"
    "RSUD dr. Soedomo;1.02.0.00.0.00.01.0002;RSUD;1.02.0.00.0.00.01.0000\n"
    "SD Negeri 1 Sumbergedong;;SEKOLAH;DISDIKBUD\n"
    "Kelurahan Sumbergedong;;KELURAHAN;KEC_TRENGGALEK\n"
    "Bidang Anggaran - BPKAD;;UNOR;BPKAD\n"
)


def trenggalek() -> PemdaReference:
    opd = tuple(parse_opd_list("35.03", OPD_CSV.encode()))
    return PemdaReference("35.03", opd, tuple(parse_unit_list("35.03", UNIT_CSV.encode(), opd)), "warehouse")


def test_the_unit_crosswalk_is_validated_against_the_opd_list():
    opd = parse_opd_list("35.03", OPD_CSV.encode())
    units = parse_unit_list("35.03", UNIT_CSV.encode(), opd)
    assert units[1] == Unit("35.03", "RSUD dr. Soedomo", "1.02.0.00.0.00.01.0002", "RSUD", "1.02.0.00.0.00.01.0000")
    assert units[3].kode_opd == "7.01.0.00.0.00.01.0000"
    bad = (
        b"nama_unit;kode_unit;jenis_unit;induk\n"
        b"UPTD Pasar;;UPTD;DISPERINDAG\n"
        b"Puskesmas Durenan;1.02.0.00.0.01;PUSKESMAS;DINKES\n"
        b"Puskesmas  durenan;;POSYANDU;DINKES\n"
    )
    with pytest.raises(OnboardingError) as e:
        parse_unit_list("35.03", bad, opd, "unit.csv")
    assert e.value.problems == [
        "unit.csv row 2 column induk: 'DISPERINDAG' is not an OPD of pemda 35.03 / "
        "unit.csv baris 2 kolom induk: 'DISPERINDAG' bukan OPD pemda 35.03",
        "unit.csv row 3 column kode_unit: '1.02.0.00.0.01' is not a SIPD unit code x.xx.x.xx.x.xx.xx.xxxx / "
        "unit.csv baris 3 kolom kode_unit: '1.02.0.00.0.01' bukan kode unit SIPD",
        "unit.csv row 4 column jenis_unit: 'POSYANDU' is not one of UNOR, SUB_UNIT, UPTD, PUSKESMAS, SEKOLAH, RSUD, "
        "BLUD, KECAMATAN, KELURAHAN, LAINNYA / unit.csv baris 4 kolom jenis_unit: 'POSYANDU' bukan salah satu dari "
        "UNOR, SUB_UNIT, UPTD, PUSKESMAS, SEKOLAH, RSUD, BLUD, KECAMATAN, KELURAHAN, LAINNYA",
        "unit.csv row 4: unit 'PUSKESMAS DURENAN' repeats row 3 / unit.csv baris 4: unit 'PUSKESMAS DURENAN' "
        "sudah ada di baris 3",
    ]
    with pytest.raises(OnboardingError, match="has no OPD list yet"):
        parse_unit_list("35.03", UNIT_CSV.encode(), [], "unit.csv")


@pytest.mark.parametrize(
    ("text", "kode_opd"),
    [
        ("DINKES", "1.02.0.00.0.00.01.0000"),  # the OPD by singkatan
        ("dinas kesehatan kabupaten trenggalek", "1.02.0.00.0.00.01.0000"),  # ... by name, any case
        ("UPTD  Puskesmas Trenggalek", "1.02.0.00.0.00.01.0000"),  # a unit by name, spacing ignored
        ("RSUD DR SOEDOMO", "1.02.0.00.0.00.01.0000"),  # ... punctuation ignored
        ("1.02.0.00.0.00.01.0002", "1.02.0.00.0.00.01.0000"),  # a unit by its SIPD code
        ("1.01.0.00.0.00.01.0007", "1.01.0.00.0.00.01.0000"),  # a sub-unit code not listed: its OPD
        ("Kelurahan Sumbergedong", "7.01.0.00.0.00.01.0000"),  # a kelurahan -> its kecamatan
        ("Bidang Anggaran – BPKAD", "5.02.0.00.0.00.01.0000"),  # a SIASN UNOR (en dash)
        ("Puskesmas Pogalan", None),  # unknown unit
        ("9.99.0.00.0.00.01.0001", None),  # a sub-unit of no listed OPD
        ("", None),
        (None, None),
    ],
)
def test_resolve_unit(text, kode_opd):
    use_reference(trenggalek())
    assert resolve_unit("35.03", text) == kode_opd


def test_resolve_unit_of_a_seed_city_reads_the_seed():
    reference._CURRENT.pop("18.72", None)
    assert resolve_unit("18.72", "DINKES") == "1.02.0.00.0.00.01.0000"
    assert resolve_unit("18.72", "Puskesmas Metro") is None


def test_unit_resolver_gives_one_file_level_warning_listing_the_missing_units():
    # Given a file whose UNOR column names two units the crosswalk does not know, one of them twice
    use_reference(trenggalek())
    units = UnitResolver("35.03")
    got = [units.resolve(t) for t in ["Puskesmas Pogalan", "DINKES", "Puskesmas  Pogalan", "UPTD Pasar Basah"]]
    # Then the known unit resolves, and the file gets one reason listing each missing unit once
    assert got == [None, "1.02.0.00.0.00.01.0000", None, None]
    assert units.reason() == (
        "2 unit tidak ada dalam crosswalk unit pemda 35.03 (baris tetap dimuat; tambahkan ke _referensi/unit.csv): "
        "Puskesmas Pogalan, UPTD Pasar Basah / 2 units not in the unit crosswalk of pemda 35.03 (rows kept; add "
        "them to _referensi/unit.csv): Puskesmas Pogalan, UPTD Pasar Basah"
    )
    assert UnitResolver("35.03").reason() is None


def test_the_finance_opd_is_declared_once_and_pemda_level_datasets_are_derived():
    assert {"BPKAD", "BAKEUDA", "BPKPD", "BPPKAD", "BKAD", "DPKAD"} <= reference.finance_opd_names()
    assert "BKD" not in reference.finance_opd_names()  # Badan Kepegawaian Daerah in many pemda
    assert "lra" in reference.PEMDA_LEVEL_DATASETS and "pegawai" not in reference.PEMDA_LEVEL_DATASETS


@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("35.03/_referensi/opd.csv", ("35.03", "opd")),
        ("35.03/_referensi/UNIT.csv", ("35.03", "unit")),
        ("35.03/_referensi/other.csv", None),
        ("35.03/BPKAD/lra/LRA 2023.csv", None),
    ],
)
def test_reference_drops_are_recognised_by_path(relpath, expected):
    assert reference.reference_drop(relpath) == expected


def test_the_codes_of_an_opd_folder_include_its_units_codes():
    ref = trenggalek()
    assert ref.codes_of("dinkes") == {
        "1.02.0.00.0.00.01.0000",
        "DINKES",
        "1.02.0.00.0.00.01.0001",
        "1.02.0.00.0.00.01.0002",
    }
    assert ref.codes_of("BPKAD") == {"5.02.0.00.0.00.01.0000", "BPKAD"}
    assert ref.codes_of("DISHUB") is None


def test_resolve_unit_in_file_keeps_one_warning_on_the_file_context():
    # Given a profile step resolving a UNOR column row by row
    from satudata.extract.profiles import FileContext

    use_reference(trenggalek())
    ctx = FileContext(file_name="ASN Trenggalek.xlsx", kode_pemda="35.03", warnings=["an earlier warning"])
    got = [
        reference.resolve_unit_in_file(ctx, t)
        for t in ["RSUD dr. Soedomo", "Puskesmas Pogalan", "DINKES", "UPTD Pasar Basah", "Puskesmas Pogalan"]
    ]
    # Then known units resolve, and the file has one warning (beside the earlier one) naming both missing
    assert got == ["1.02.0.00.0.00.01.0000", None, "1.02.0.00.0.00.01.0000", None, None]
    assert len(ctx.warnings) == 2 and ctx.warnings[0] == "an earlier warning"
    assert ctx.warnings[1].startswith("2 unit tidak ada dalam crosswalk unit pemda 35.03")
    assert ctx.warnings[1].endswith(": Puskesmas Pogalan, UPTD Pasar Basah")


def test_an_unknown_folder_says_where_the_list_of_its_pemda_is():
    onboarded = reference.unknown_folder_reason("35.03/DISHUB/pegawai/a.csv", "35.03", "DISHUB")
    assert onboarded.startswith(
        "35.03/DISHUB/pegawai/a.csv: OPD folder 'DISHUB' is not in the reference list of "
        "pemda 35.03 (onboard it: satudata pemda add 35.03 --opd FILE, or drop "
        "35.03/_referensi/opd.csv) / folder OPD 'DISHUB' tidak ada dalam daftar OPD "
        "pemda 35.03"
    )
    seed = reference.unknown_folder_reason("18.72/DISHUBX/pegawai/a.csv", "18.72", "DISHUBX")
    assert "is not in the reference list of pemda 18.72 (its OPD list is dbt_project/seeds/opd.csv)" in seed
    assert reference.unknown_folder_reason("99.99/X/lra/a.csv", "99.99", "X").endswith(
        "pemda 99.99 tidak ada di pemda.csv"
    )


SIPD_LIST = (
    "skpd;unit_skpd;singkatan\n"
    "1.01.2.22.0.00.02.0000 Dinas Pendidikan dan Kebudayaan;1.01.2.22.0.00.02.0000 Dinas Pendidikan dan "
    "Kebudayaan;DISDIKBUD\n"
    "1.01.2.22.0.00.02.0000 Dinas Pendidikan dan Kebudayaan;1.01.2.22.0.00.02.0001 Cabang Dinas Pendidikan "
    "Wilayah Barat;\n"
    "1.02.0.00.0.00.01.0000 Dinas Kesehatan;1.02.0.00.0.00.01.0000 Dinas Kesehatan;DINKES\n"
    "1.02.0.00.0.00.01.0000 Dinas Kesehatan;1.02.0.00.0.00.01.0003 RSUD Kabupaten;\n"
)


def test_the_sipd_list_of_skpd_and_units_gives_the_opd_list_and_the_crosswalk():
    # Given the SIPD list of SKPD and units (code and name in one cell), with a singkatan column added
    data = SIPD_LIST.encode()
    # When it is given as the OPD list, Then the SKPD are the OPD and their units are skipped
    opd = parse_opd_list("35.03", data, "sipd.csv")
    assert opd == [
        Opd("35.03", "1.01.2.22.0.00.02.0000", "DISDIKBUD", "Dinas Pendidikan dan Kebudayaan"),
        Opd("35.03", "1.02.0.00.0.00.01.0000", "DINKES", "Dinas Kesehatan"),
    ]
    # When the same file is given as the crosswalk, Then every unit is a SUB_UNIT of its SKPD
    units = parse_unit_list("35.03", data, opd, "sipd.csv")
    assert [(u.nama_unit, u.kode_unit, u.jenis_unit, u.kode_opd) for u in units] == [
        ("Cabang Dinas Pendidikan Wilayah Barat", "1.01.2.22.0.00.02.0001", "SUB_UNIT", "1.01.2.22.0.00.02.0000"),
        ("RSUD Kabupaten", "1.02.0.00.0.00.01.0003", "SUB_UNIT", "1.02.0.00.0.00.01.0000"),
    ]
    # a unit without its name is refused, naming the row of the file
    nameless = SIPD_LIST + "1.02.0.00.0.00.01.0000 Dinas Kesehatan;1.02.0.00.0.00.01.0004;\n"
    with pytest.raises(OnboardingError, match="sipd.csv row 6 column nama_unit: empty"):
        parse_unit_list("35.03", nameless.encode(), opd, "sipd.csv")
    # and without the singkatan column the OPD list says what to add
    with pytest.raises(OnboardingError, match="missing column\\(s\\) singkatan"):
        parse_opd_list("35.03", b"skpd;unit_skpd\n1.02.0.00.0.00.01.0000 Dinas Kesehatan;x\n", "sipd.csv")
