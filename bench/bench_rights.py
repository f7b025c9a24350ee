"""Issue 13 at scale: possible duplicates of the large salon, and its everything export (time, size, memory).

- duplicates: `candidate_pairs` over every card of the large salon (one pass, blocked comparisons);
- everything: the whole ZIP through `stream_everything` (server-side cursors), MB/s and peak RSS growth.
"""
import io
import zipfile

from bench.support import ensure_bench_salons, ensure_database, peak_rss_growth, stopwatch
from salon_web.models import SalonCustomer
from salon_web.services.duplicates import candidate_pairs
from salon_web.services.salon_export import stream_everything


def run(database_url, args):
    ensure_database(database_url)
    large, _ = ensure_bench_salons(args.customers)
    cards = SalonCustomer.select().where(SalonCustomer.salon == large).count()
    for attempt in range(2):
        with peak_rss_growth() as memory, stopwatch() as took:
            pairs = candidate_pairs(large)
        print(f"duplicates of {cards:,} cards (run {attempt + 1}): {took['seconds']:.2f} s, {len(pairs)} pairs kept,"
              f" best {pairs[0].reasons if pairs else None}, peak RSS growth {memory['mib']:.1f} MiB")
    size = 0
    with peak_rss_growth() as memory, stopwatch() as took:
        for chunk in stream_everything(large):
            size += len(chunk)
    print(f"everything export of {cards:,} cards: {took['seconds']:.2f} s, {size / 1e6:.1f} MB ZIP,"
          f" {size / 1e6 / took['seconds']:.1f} MB/s, peak RSS growth {memory['mib']:.1f} MiB")
    _check_archive_of_small_salon()


def _check_archive_of_small_salon():
    """The small bench salon's archive opens and lists every file (a sanity check of the streamed ZIP)."""
    from salon_web.models import Salon
    from salon_web.sample_data import bench_data

    small = Salon.get(Salon.slug == bench_data.SMALL_SLUG)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(stream_everything(small))))
    print(f"small salon archive: {len(archive.namelist())} files, testzip {archive.testzip() or 'ok'}")
