"""Issue 13 at scale: possible duplicates of the large salon, and its everything export (time, size, memory).

- duplicates: `candidate_pairs` over every card of the large salon (one pass, blocked comparisons);
- everything: the whole ZIP through `stream_everything` (server-side cursors), MB/s and peak RSS growth.
"""
import gc
import io
import zipfile

from bench.support import ensure_bench_salons, ensure_database, stopwatch
from salon_web.models import SalonCustomer
from salon_web.services.duplicates import candidate_pairs
from salon_web.services.salon_export import stream_everything


def _peak_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def run(database_url, args):
    ensure_database(database_url)
    large, _ = ensure_bench_salons(args.customers)
    cards = SalonCustomer.select().where(SalonCustomer.salon == large).count()
    for attempt in range(2):
        gc.collect()
        _reset_peak_rss()
        before = _peak_rss_kib()
        with stopwatch() as took:
            pairs = candidate_pairs(large)
        growth = (_peak_rss_kib() - before) / 1024
        print(f"duplicates of {cards:,} cards (run {attempt + 1}): {took['seconds']:.2f} s, {len(pairs)} pairs kept,"
              f" best {pairs[0].reasons if pairs else None}, peak RSS growth {growth:.1f} MiB")
    gc.collect()
    _reset_peak_rss()
    before = _peak_rss_kib()
    size = 0
    with stopwatch() as took:
        for chunk in stream_everything(large):
            size += len(chunk)
    growth = (_peak_rss_kib() - before) / 1024
    print(f"everything export of {cards:,} cards: {took['seconds']:.2f} s, {size / 1e6:.1f} MB ZIP,"
          f" {size / 1e6 / took['seconds']:.1f} MB/s, peak RSS growth {growth:.1f} MiB")
    _check_archive_of_small_salon()


def _check_archive_of_small_salon():
    """The small bench salon's archive opens and lists every file (a sanity check of the streamed ZIP)."""
    from salon_web.models import Salon
    from salon_web.sample_data import bench_data

    small = Salon.get(Salon.slug == bench_data.SMALL_SLUG)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(stream_everything(small))))
    print(f"small salon archive: {len(archive.namelist())} files, testzip {archive.testzip() or 'ok'}")
