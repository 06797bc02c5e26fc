"""`python -m satudata.sample --landing DIR --scale kota|small|provinsi|nasional --seed N`"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from satudata.sample.generator import SCALES, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m satudata.sample", description=__doc__)
    parser.add_argument("--landing", type=Path, required=True, help="landing folder to write into")
    parser.add_argument("--scale", choices=SCALES, default="kota")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--tahun", type=int, default=2024)
    parser.add_argument("--workers", type=int, default=1, help="pemda generated in parallel processes")
    parser.add_argument("--clean", action="store_true", help="remove pemda folders already in the landing")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = generate(args.landing, args.scale, args.seed, args.tahun, workers=args.workers, clean=args.clean)
    result["seconds"] = round(time.perf_counter() - started, 1)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
