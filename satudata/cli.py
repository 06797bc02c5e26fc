"""`satudata` command line: run the pipeline through Airflow, manage the embedded warehouse, make sample data.

satudata run [--verbose]     the whole pipeline through real Airflow (`airflow dags test`; satudata/run.py)
satudata airflow [--port N]  Airflow's UI, scheduler and API on this machine (satudata/airflow_local.py)
satudata warehouse start|stop|url
satudata generate [--scale kota|small|provinsi|nasional] [--landing DIR]
satudata revert <dataset_id> <version> [--pemda KODE] [--by NAME] [--reason TEXT]   make an earlier version current
satudata pemda add <kode_pemda> [--opd FILE] [--unit FILE]   onboard a pemda: its OPD list, its unit crosswalk
satudata pemda show <kode_pemda>                           its current lists and their history
satudata doctor [--tests]    what a run (and the tests) need here: one line per problem with its fix
satudata check FILE [--pemda 72.71 --opd DINKES --dataset realisasi_belanja] [--out DIR]
                             check a file before sending it, offline: exit 0 clean, 1 findings, 2 refused
satudata rebuild <dataset_id> <version> [--pemda KODE] [--out FILE]   a version's data.csv again from the warehouse
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from satudata.config import Settings
from satudata.warehouse.embedded import EmbeddedWarehouse

log = logging.getLogger("satudata")


def run_pemda(settings: Settings, action: str, kode_pemda: str, opd: Path | None, unit: Path | None) -> int:
    """`satudata pemda add|show`: against SATUDATA_WAREHOUSE_URL, or the embedded warehouse (started and
    stopped again if it was not running). `add` validates each file and keeps it as the pemda's new
    current version (satudata/reference.py); a refused file changes nothing and prints every problem."""
    from satudata import reference
    from satudata.warehouse import connect, migrate

    embedded = None if settings.warehouse_url else EmbeddedWarehouse(settings.home)
    started = embedded is not None and embedded.running_url() is None
    url = settings.warehouse_url or embedded.start()  # type: ignore[union-attr]
    code = 0
    try:
        migrate(url)
        if action == "add":
            if opd is None and unit is None:
                print("pemda add: give --opd FILE and/or --unit FILE / berikan --opd dan/atau --unit")
                return 2
            for kind, path in (("opd", opd), ("unit", unit)):
                if path is None:
                    continue
                try:
                    with connect(url) as conn:
                        result = reference.onboard(conn, kode_pemda, kind, path.read_bytes(), path.name)
                except reference.OnboardingError as e:
                    print(f"{path}: refused / ditolak:")
                    for problem in e.problems:
                        print(f"  {problem}")
                    code = 1
                    continue
                print(
                    f"{kode_pemda} {kind}: version {result['version_id']} {result['status']}, "
                    f"{result['rows']} rows / versi {result['version_id']}, {result['rows']} baris"
                )
        with connect(url) as conn:
            for row in conn.execute(
                "select kind, version_id, file_name, row_count, valid_from, valid_to from reference.list_version "
                "where kode_pemda = %s order by kind, version_id",
                (kode_pemda,),
            ):
                current = "current" if row[5] is None else f"until {row[5]:%Y-%m-%d %H:%M}"
                print(f"  {row[0]:5s} v{row[1]:<5d} {row[3]:5d} rows  {row[2]}  from {row[4]:%Y-%m-%d %H:%M} {current}")
            ref = reference.pemda_reference(conn, kode_pemda)
        print(
            f"{kode_pemda} {reference.pemda_names().get(kode_pemda, '?')}: OPD list from {ref.source} "
            f"({len(ref.opd)} OPD), crosswalk {len(ref.units)} units"
        )
    finally:
        if started:
            embedded.stop()  # type: ignore[union-attr]
    return code


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(
        prog="satudata", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the whole pipeline through Airflow")
    run.add_argument("--verbose", action="store_true", help="stream Airflow's full output (also SATUDATA_VERBOSE=1)")
    af = sub.add_parser("airflow", help="Airflow's UI, scheduler and API on this machine (Ctrl-C stops it)")
    af.add_argument("--port", type=int, default=int(os.environ.get("SATUDATA_AIRFLOW_PORT") or 8080))
    wh = sub.add_parser("warehouse", help="the embedded PostgreSQL")
    wh.add_argument("action", choices=["start", "stop", "url"])
    gen = sub.add_parser("generate", help="write the sample file drops")
    gen.add_argument("--scale", default=None)
    gen.add_argument("--landing", type=Path, default=None)
    gen.add_argument("--seed", type=int, default=2024)
    rev = sub.add_parser("revert", help="make an earlier version of a published dataset current again")
    rev.add_argument("dataset_id")
    rev.add_argument("version", help="e.g. v2")
    rev.add_argument("--pemda", help="the publisher (kode_pemda, satudata/publish/publishers.yaml)")
    rev.add_argument("--by", default=os.environ.get("USER") or "unknown", help="who reverts (audit)")
    rev.add_argument("--reason", default="")
    pem = sub.add_parser("pemda", help="onboard a pemda: its OPD list and unit crosswalk (README, Onboarding)")
    pem.add_argument("action", choices=["add", "show"])
    pem.add_argument("kode_pemda", help="Kemendagri code, e.g. 35.07")
    pem.add_argument("--opd", type=Path, default=None, help="OPD list: kode_opd;singkatan;nama_opd")
    pem.add_argument("--unit", type=Path, default=None, help="unit crosswalk: nama_unit;kode_unit;jenis_unit;induk")
    doc = sub.add_parser("doctor", help="check what a run needs on this machine; one line per problem with its fix")
    doc.add_argument("--tests", action="store_true", help="also what `make test` needs (Chromium is then blocking)")
    chk = sub.add_parser("check", help="periksa berkas sebelum dikirim / check a file before sending it (offline)")
    chk.add_argument("file", type=Path)
    chk.add_argument("--pemda", default=None, help="kode pemda, e.g. 72.71 (default: from the path)")
    chk.add_argument("--opd", default=None, help="OPD singkatan, e.g. DINKES (default: from the path)")
    chk.add_argument("--dataset", default=None, help="e.g. realisasi_belanja (default: from the path)")
    chk.add_argument("--out", type=Path, default=Path("."), help="folder for the feedback workbook (default: .)")
    reb = sub.add_parser("rebuild", help="make a published version's data.csv again from the warehouse")
    reb.add_argument("dataset_id")
    reb.add_argument("version", help="e.g. v1")
    reb.add_argument("--out", type=Path, default=None, help="where to write it (default: ./<id>_<v>_rebuild.csv)")
    reb.add_argument("--pemda", help="the publisher (kode_pemda, satudata/publish/publishers.yaml)")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from satudata import doctor

        return doctor.main(for_tests=args.tests)
    if args.command == "check":  # offline: no settings, no warehouse
        from satudata.load.check import run_check

        return run_check(args.file, args.pemda, args.opd, args.dataset, args.out)
    settings = Settings.from_env()

    if args.command == "pemda":
        return run_pemda(settings, args.action, args.kode_pemda, args.opd, args.unit)
    if args.command == "rebuild":
        from satudata.publish.rebuild import run_rebuild

        return run_rebuild(settings, args.dataset_id, args.version, args.out, args.pemda)
    if args.command == "revert":
        from satudata.publish.release import run_revert

        return run_revert(settings, args.dataset_id, args.version, args.by, args.reason, args.pemda)
    if args.command == "run":
        from satudata.run import run_pipeline, verbose_from_env

        return run_pipeline(settings, verbose=args.verbose or verbose_from_env())
    if args.command == "airflow":
        from satudata.airflow_local import serve

        return serve(settings, args.port)
    if args.command == "warehouse":
        embedded = EmbeddedWarehouse(settings.home)
        if args.action == "start":
            print(embedded.start())
        elif args.action == "stop":
            embedded.stop()
        else:
            print(embedded.running_url() or "")
        return 0
    if args.command == "generate":
        from satudata.sample import generate

        counts = generate(args.landing or settings.landing, scale=args.scale or settings.sample_scale, seed=args.seed)
        from satudata.extract.sample_registry import write_sample_registry

        counts["registry"] = str(write_sample_registry(Path(counts["landing"]), counts["tahun"]))
        print(json.dumps(counts, indent=2, default=str))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
