"""Ingest benchmark: a corpus of varied plans, with 1 and with N worker processes.

    .venv/bin/python benchmarks/bench_ingest.py                # 1,000 plans, N = the machine's cores
    .venv/bin/python benchmarks/bench_ingest.py --plans 100 --jobs 2

The corpus is made from the seed plans in `data/raw`, each copy varied
deterministically from `--seed` (percentages, dates and years, place names,
list items dropped or swapped, prose re-wrapped at another width), so no two
files are alike and the extractors meet the same kind of variety a batch of
real plans has.  It is written to a temporary folder and removed afterwards.

Each run is the real command (`kehoach ingest`) in a child process, timed
from start to exit, with the peak memory (RSS) of the largest of its
processes.  Printed: documents per second with 1 job and with N, the
speed-up, a second run with nothing changed (as a share of the first), and
the peak memory of a run over oversized inputs (a 50 MB text, zip bombs).
Timings are only as good as the machine is quiet: the load average and the
speed-up N processes of plain Python get (`parallel capacity`) are printed
first, and `--repeat` keeps the best of several runs.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import regex as re

from pipeline.textnorm import canon

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "data" / "raw"
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
from make_corpus import make_big  # noqa: E402 - the oversized inputs of the bad-input corpus
from measure import Measured, run_measured  # noqa: E402

# Syllables of invented place names (a place's name is replaced throughout its document).
SYLLABLES = ("Tân", "Bình", "Phú", "Long", "Thạnh", "Hưng", "Thịnh", "Phước", "Minh", "Đông", "Tây", "Nam",
             "Bắc", "Trung", "Lạc", "Sơn", "Lập", "Mỹ", "Vĩnh", "Cát", "Quang", "Thành", "Định", "Lộc")
LEVEL_WORDS = ("phường", "xã", "thị trấn", "quận", "huyện", "thị xã", "thành phố", "tỉnh")
_NAME = r"\p{Lu}\p{Ll}+(?: \p{Lu}\p{Ll}+){1,2}"  # two or three capitalised syllables
PLACE = re.compile(rf"\b(?i:{'|'.join(LEVEL_WORDS)}) ({_NAME})")
PERCENT = re.compile(r"\b\d{1,3}(?:[.,]\d+)?(?=\s?%)")
DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(20\d\d)\b")
YEAR = re.compile(r"\b20[2-3]\d\b")
BULLET = re.compile(r"^\s*[-+•] ")
FIELD = re.compile(r"^\s*[-+]?\s*[\p{L} ,/()]{3,45}:")


# --------------------------------------------------------------------------- the corpus


def _place_names(text: str, rng: random.Random) -> dict[str, str]:
    """Each place name the plan uses (after a level word, in title case) -> an invented one;
    spellings of one name (old and new tone marks) get the same new name."""
    names = sorted({m.group(1) for m in PLACE.finditer(text)})
    new = {canon(name): " ".join(rng.sample(SYLLABLES, len(name.split()))) for name in names}
    return {name: new[canon(name)] for name in names}


def _rename_places(text: str, rng: random.Random) -> str:
    for old, new in _place_names(text, rng).items():
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
        text = re.sub(rf"\b{re.escape(old.upper())}\b", new.upper(), text)
    return text


def _vary_numbers(text: str, rng: random.Random) -> str:
    shift = rng.choice((-1, 0, 0, 1, 2))
    text = PERCENT.sub(lambda m: str(rng.choice((10, 20, 25, 30, 50, 60, 70, 80, 85, 90, 95, 98, 100))), text)
    text = DATE.sub(lambda m: f"{rng.randint(1, 28)}/{m.group(2)}/{m.group(3)}", text)
    return YEAR.sub(lambda m: str(int(m.group()) + shift), text)


def _vary_items(lines: list[str], rng: random.Random) -> list[str]:
    """Drop a few bullet items and swap a few neighbours (never field lines or table rows)."""
    def movable(line: str) -> bool:
        return bool(BULLET.match(line)) and not FIELD.match(line) and "\t" not in line

    out: list[str] = []
    for line in lines:
        if movable(line) and rng.random() < 0.08:
            continue
        if out and movable(line) and movable(out[-1]) and rng.random() < 0.15:
            out.insert(len(out) - 1, line)
        else:
            out.append(line)
    return out


def _rewrap(lines: list[str], width: int) -> list[str]:
    """Long prose lines broken at another width, as another converter would (never table rows)."""
    out: list[str] = []
    for line in lines:
        if "\t" in line or len(line) <= width:
            out.append(line)
            continue
        lead = line[: len(line) - len(line.lstrip())]
        words, current = line.split(), lead
        for word in words:
            if len(current) + len(word) + 1 > width and current.strip():
                out.append(current)
                current = ""
            current = f"{current} {word}" if current.strip() else current + word
        out.append(current)
    return out


def vary(text: str, rng: random.Random) -> str:
    """One plausible new plan from a seed plan (see the module docstring)."""
    text = _vary_numbers(_rename_places(text, rng), rng)
    lines = _vary_items(text.split("\n"), rng)
    if rng.random() < 0.5:
        lines = _rewrap(lines, rng.randint(70, 110))
    return "\n".join(lines)


def build_corpus(folder: Path, plans: int, seed: int = 0) -> list[Path]:
    """Write `plans` varied plans into `folder`; every file's content is different."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    folder.mkdir(parents=True, exist_ok=True)
    paths, seen = [], set()
    for n in range(plans):
        rng = random.Random(seed * 1_000_003 + n)
        text = vary(texts[n % len(texts)], rng)
        while text in seen:  # vanishingly rare; keep every file distinct
            text = vary(text, rng)
        seen.add(text)
        paths.append(folder / f"plan_{n:04d}.txt")
        paths[-1].write_text(text, encoding="utf-8")
    return paths


# --------------------------------------------------------------------------- measuring


def ingest(inputs: Path, out: Path, jobs: int) -> Measured:
    """`kehoach ingest` in a child process: wall time, and the peak RSS of its largest process."""
    return run_measured([sys.executable, "-m", "pipeline.cli", "ingest", str(inputs), "--out", str(out),
                         "-j", str(jobs), "-q"], cwd=ROOT, stderr=subprocess.DEVNULL)


def best_of(repeat: int, inputs: Path, out: Path, jobs: int) -> Measured:
    """The fastest of `repeat` first runs into a new dataset (the others are noise from the machine)."""
    runs = []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        runs.append(ingest(inputs, out, jobs))
    return min(runs, key=lambda run: run.seconds)


def _burn(_: int) -> float:
    started, total = time.perf_counter(), 0
    for n in range(10_000_000):
        total += n
    return time.perf_counter() - started


def parallel_capacity(jobs: int) -> float:
    """How many times faster `jobs` processes of pure Python finish `jobs` loops than one process
    does: about `jobs` on an idle machine, less when other work shares the cores."""
    from concurrent.futures import ProcessPoolExecutor

    one = _burn(0)
    with ProcessPoolExecutor(jobs) as pool:
        started = time.perf_counter()
        list(pool.map(_burn, range(jobs)))
        return jobs * one / (time.perf_counter() - started)


def _snapshot(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.parquet")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="Time each first run this many times; keep the best.")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kehoach-bench-"))
    try:
        corpus = build_corpus(work / "corpus", args.plans, args.seed)
        size_mb = sum(p.stat().st_size for p in corpus) / 2**20
        print(f"corpus: {len(corpus)} plans, {size_mb:.1f} MB, seed {args.seed}; {os.cpu_count()} cores; "
              f"load average {os.getloadavg()[0]:.2f}; parallel capacity {parallel_capacity(args.jobs):.2f} x "
              f"with {args.jobs} processes")
        one = best_of(args.repeat, work / "corpus", work / "out1", 1)
        many = best_of(args.repeat, work / "corpus", work / "outN", args.jobs)
        before = _snapshot(work / "outN")
        again = ingest(work / "corpus", work / "outN", args.jobs)
        untouched = before == _snapshot(work / "outN")
        (work / "big").mkdir()
        make_big(work / "big")
        big = ingest(work / "big", work / "out_big", 1)
        rate_one, rate_many = len(corpus) / one.seconds, len(corpus) / many.seconds
        speedup = rate_many / rate_one
        for label, run in (("1 job:", one), (f"{args.jobs} jobs:", many)):
            jobs = 1 if run is one else args.jobs
            print(f"{label:11} {run.seconds:7.1f} s  {len(corpus) / run.seconds:6.2f} docs/s  "
                  f"peak {run.peak_mb:4.0f} MB  exit {run.exit_code}  cpu {run.cpu_seconds:6.1f} s "
                  f"= {run.cpu_seconds / run.seconds / jobs:.0%} of {jobs} core(s)")
        print(f"speed-up:   {speedup:.2f} x with {args.jobs} jobs = {speedup / args.jobs:.2f} x N (bar 0.80 x N)")
        cpu_speedup = args.jobs * one.cpu_seconds / many.cpu_seconds
        print(f"            {cpu_speedup:.2f} x from CPU time, as on an idle machine (counts the parallel run's "
              "extra work only; a busy machine shows in the shares of cores above)")
        print(f"second run: {again.seconds:7.2f} s  = {again.seconds / many.seconds:.1%} of the first (bar 5%); "
              f"dataset {'untouched' if untouched else 'REWRITTEN'}; peak {again.peak_mb:.0f} MB")
        print(f"oversized:  {big.seconds:7.2f} s  peak {big.peak_mb:4.0f} MB for a 50 MB text and two 1 GB zip "
              f"bombs (exit {big.exit_code}: all refused)")
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
