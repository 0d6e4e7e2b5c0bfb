"""facerec: a self-hosted face recognition service."""

import os

__version__ = "0.1.0"

# One BLAS thread, unless the environment says otherwise; set before numpy is first imported. The
# index's matrix-vector product is memory-bound, so a second thread gains little, and BLAS threads
# that wait for a busy core stall searches: p99 at 10k faces 8.7 ms with two threads, 0.9 ms with
# one; at 100k 27.7 ms against 14.7 ms (2 shared cores, see the README's speed section).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
