"""A batch's files loaded by several processes side by side (the `load` task of one pemda).

Under `airflow dags test` (`satudata run`, `make bench`) the mapped `load` tasks run one after another,
and one loader process keeps about two cores busy: its own parsing and checking, and PostgreSQL's
backend with the workbook writer beside it. On a machine with more cores, a batch of LANES_FROM files or
more is split by OPD (an OPD's files stay in one chunk, in landing order, as the one-process path loads
them) into chunks that SATUDATA_LOAD_PROCESSES worker processes load, each file exactly as the
one-process path loads it (`satudata.pipeline.load`): a slot (pemda x OPD x dataset) is never written by
two processes, and what one file of an OPD reads of another (the e-SKM survey's services in
jenis_layanan) is loaded before it, as it is in one process.

Nothing is lost: a file whose load raised is reported with its error, as on the one-process path; a
chunk whose worker died (killed, out of memory) reports each of its files that was not confirmed as
not loaded, and the batch fails so that Airflow retries it (a file already loaded is not loaded twice).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import PurePosixPath
from typing import Any

from satudata.extract.sources import EXTRACTED_PREFIX

log = logging.getLogger(__name__)

PROCESSES_VARIABLE = "SATUDATA_LOAD_PROCESSES"
FROM_VARIABLE = "SATUDATA_LOAD_LANES_FROM"
# below this many files a batch is loaded in the task's own process: starting a worker and importing
# the loader costs about a second, the load of a small file about 30 ms
LANES_FROM = 200
CHUNK = 40  # files per chunk handed to a worker: small enough to keep both busy to the end of the batch


def default_processes(cores: int | None = None) -> int:
    """Half the cores, at most 4: each loading process keeps about two cores busy, its own (reading,
    checking) and its share of PostgreSQL's backend and the workbook writer. On 2 cores one process
    already fills them: provinsi's `load` took 343.0 s with two processes, 333.2 s with one."""
    return max(1, min(4, (cores if cores is not None else os.cpu_count() or 1) // 2))


def processes(files: int, env: Mapping[str, str] | None = None) -> int:
    """How many processes load a batch of `files`: SATUDATA_LOAD_PROCESSES (default: default_processes()),
    and 1 below SATUDATA_LOAD_LANES_FROM files (default LANES_FROM)."""
    env = os.environ if env is None else env
    wanted = env.get(PROCESSES_VARIABLE, "").strip()
    smallest = env.get(FROM_VARIABLE, "").strip()
    try:
        count = int(wanted) if wanted else default_processes()
        from_files = int(smallest) if smallest else LANES_FROM
    except ValueError as e:
        raise ValueError(f"{PROCESSES_VARIABLE} and {FROM_VARIABLE} must be whole numbers: {e}") from None
    return max(1, count) if files >= max(1, from_files) else 1


def opd_of(item: dict[str, Any]) -> str:
    """The pemda/OPD of a landed file (its first two folders): the unit a worker loads whole."""
    relpath = str(item.get("relpath", "")).removeprefix(EXTRACTED_PREFIX)
    return "/".join(PurePosixPath(relpath).parts[:2])


def chunks(landed: list[dict[str, Any]], size: int = CHUNK) -> list[list[int]]:
    """Indexes of `landed` in chunks of about `size` files: each OPD's files whole and in landing order,
    never cut (an OPD's e-SKM survey names its services, which the loader looks up in the OPD's
    jenis_layanan: loaded in another process at the same moment, the lookup would miss them)."""
    opds: dict[str, list[int]] = {}
    for i, item in enumerate(landed):
        opds.setdefault(opd_of(item), []).append(i)
    out: list[list[int]] = []
    current: list[int] = []
    for members in opds.values():
        if current and len(current) + len(members) > size:
            out.append(current)
            current = []
        current.extend(members)
    if current:
        out.append(current)
    return out


def _worker_logging(level: int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s [load worker]: %(message)s")


def load_chunk(
    step: Callable[[Any, dict[str, Any]], dict[str, Any]], settings: Any, items: list[dict[str, Any]]
) -> list[tuple[dict[str, Any] | None, str | None]]:
    """In a worker: each file loaded by `step` (`satudata.pipeline.load`, passed by reference: this module
    does not import the pipeline that imports it); (result, None) or (None, error) per file."""
    from satudata.warehouse import reuse_connections

    done: list[tuple[dict[str, Any] | None, str | None]] = []
    with reuse_connections():
        for item in items:
            try:
                done.append((step(settings, item), None))
            except Exception as e:  # noqa: BLE001 - reported per file, as on the one-process path
                log.exception("loading failed for %s", item.get("relpath"))
                done.append((None, f"{type(e).__name__}: {e}"))
    return done


def load_in_processes(
    step: Callable[[Any, dict[str, Any]], dict[str, Any]],
    settings: Any,
    landed: list[dict[str, Any]],
    workers: int,
    loaded: Callable[[dict[str, Any]], None],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Load `landed` with `workers` processes, each file by `step(settings, item)` (a module-level function:
    the workers import it by name). `loaded(item)` is called in this process as each file's load
    is confirmed (its feedback workbook is written then). Returns the results and the errors, as
    pipeline._each does."""
    parts = chunks(landed)
    log.info("%d files in %d chunks, loaded by %d processes", len(landed), len(parts), workers)
    results: list[dict[str, Any]] = []
    errors: list[str] = []
    context = multiprocessing.get_context("spawn")  # no fork of a process holding connections and threads
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_worker_logging, initargs=(logging.getLogger().level,)
    ) as pool:
        futures = {pool.submit(load_chunk, step, settings, [landed[i] for i in part]): part for part in parts}
        for future in as_completed(futures):
            part = futures[future]
            try:
                outcomes = future.result()
            except Exception as e:  # noqa: BLE001 - a worker died: its unconfirmed files are not loaded
                log.error("a load worker ended before confirming %d files: %s", len(part), e)
                outcomes = [(None, f"load worker ended before confirming this file: {type(e).__name__}: {e}")] * len(
                    part
                )
            for i, (result, error) in zip(part, outcomes, strict=True):
                item = landed[i]
                if error is None and result is not None:
                    results.append(result)
                else:
                    errors.append(f"{item}: {error}")
                loaded(item)
    return results, errors
