"""Binary codes of faces for the approximate search (SimHash): the signs of a face's projections on
``bits`` fixed random directions, packed 8 to a byte, and faiss's SIMD scan of the nearest codes.

The fraction of bits in which two codes differ estimates the angle between the faces (θ/π). A
genuine match (cosine 0.4 and up) differs from the query in about 190 of 512 bits or fewer, an
unrelated face in 256 give or take 16, so among a million faces the match is practically always
among the 512 nearest codes (``bench/search.py`` measures it on real and synthetic faces).
Stateless after construction, so thread-safe. Imports numpy and faiss only.
"""

from __future__ import annotations

import faiss
import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint8]
ENCODE_CHUNK = 65_536  # rows projected at once: 128 MiB of float32 at 512 bits
SEED = 0  # of the random directions: the same codes in every process and every run


class SignCodes:
    def __init__(self, *, bits: int, dimension: int) -> None:
        if bits <= 0 or bits % 64:
            raise ValueError(f"code_bits must be a positive multiple of 64, got {bits}")
        self.bits = bits
        self._directions = _random_directions(bits, dimension, SEED)

    @property
    def bytes_per_code(self) -> int:
        return self.bits // 8

    def encode(self, vectors: npt.NDArray[np.float32]) -> Codes:
        """The codes of ``vectors`` (rows), projected a chunk at a time to bound the memory used."""
        codes = np.empty((len(vectors), self.bytes_per_code), dtype=np.uint8)
        for start in range(0, len(vectors), ENCODE_CHUNK):
            chunk = vectors[start : start + ENCODE_CHUNK]
            codes[start : start + len(chunk)] = np.packbits(chunk @ self._directions.T > 0, axis=1)
        return codes

    @staticmethod
    def nearest(codes: Codes, code: Codes, count: int) -> npt.NDArray[np.int64]:
        """The rows of ``codes`` nearest to ``code`` (one row) by Hamming distance, nearest first."""
        # One query is one scan: more OpenMP threads only add hand-over costs (bench/results/micro.md:
        # a million codes on one thread and on all cores). The setting is per calling thread.
        faiss.omp_set_num_threads(1)
        _, rows = faiss.knn_hamming(code, codes, count, "mc")
        found: npt.NDArray[np.int64] = rows[0]
        return found[found >= 0]  # -1 pads a short answer


def _random_directions(count: int, dimension: int, seed: int) -> npt.NDArray[np.float32]:
    """``count`` fixed random directions: orthogonal where there are no more than ``dimension`` (each
    bit then says something the others do not), independent beyond."""
    rng = np.random.default_rng(seed)
    gaussian = rng.standard_normal((count, dimension))
    if count <= dimension:
        q, _ = np.linalg.qr(gaussian.T)
        gaussian = q.T
    return np.ascontiguousarray(gaussian, dtype=np.float32)
