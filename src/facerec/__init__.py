"""facerec: a self-hosted face recognition service."""

from facerec.config import one_blas_thread

__version__ = "0.1.0"

one_blas_thread()
