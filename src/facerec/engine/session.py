"""The one ONNX Runtime session factory: execution providers and thread counts come from here only,
BLAS's included (``limit_blas_threads``, applied when a ``FaceEngine`` starts, never at import).

Providers are asked for by name in order of preference (``CPUExecutionProvider`` by default;
``CUDAExecutionProvider`` or ``OpenVINOExecutionProvider`` when their onnxruntime build is installed).
Asking for one that this build lacks is refused with a clear message rather than silently falling back;
the provider really in use is read back from the session and reported. On the CPU provider, the
models' ``PRelu`` nodes are rewritten on loading into operators that it runs faster, with the same
results bit for bit (``facerec.engine.graph``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import onnxruntime as ort

from facerec.engine.graph import GraphFormatError, rewrite_prelu
from facerec.errors import ModelError

log = logging.getLogger(__name__)


ExecutionMode = Literal["sequential", "parallel"]
GraphOptimization = Literal["disabled", "basic", "extended", "all"]

EXECUTION_MODES: dict[str, ort.ExecutionMode] = {
    "sequential": ort.ExecutionMode.ORT_SEQUENTIAL,
    "parallel": ort.ExecutionMode.ORT_PARALLEL,
}
GRAPH_OPTIMIZATIONS: dict[str, ort.GraphOptimizationLevel] = {
    "disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


@dataclass(frozen=True)
class SessionOptions:
    """How every session is opened; the defaults are the fastest measured (bench/engine.py) for a
    server whose worker threads run several requests side by side: one thread per run, in order,
    all graph optimisations. ``inter_op_threads`` only matters in ``parallel`` mode; ``spin``
    lets idle intra-op threads busy-wait for the next operator (ONNX Runtime's own default), faster
    for one request alone and a waste of cores when several run at once; ``rewrite_prelu`` applies
    ``facerec.engine.graph`` on the CPU provider. ``blas_threads`` is numpy's BLAS threads for the
    whole process (``limit_blas_threads``)."""

    providers: tuple[str, ...] = ("CPUExecutionProvider",)
    intra_op_threads: int = 1
    inter_op_threads: int = 1
    execution_mode: ExecutionMode = "sequential"
    graph_optimization: GraphOptimization = "all"
    spin: bool = False
    rewrite_prelu: bool = True
    blas_threads: int = 1


def limit_blas_threads(threads: int) -> None:
    """Pin numpy's BLAS to ``threads`` threads for the whole process; 0 leaves BLAS its own choice
    (its environment variables, or one thread per core). The index's matrix-vector product is
    memory-bound, so more threads gain little, and threads that wait for a busy core stall it."""
    if threads > 0:
        # Imported here, not at the top: threadpoolctl sets KMP_DUPLICATE_LIB_OK when imported, and
        # importing facerec changes no environment variable.
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")


def available_providers() -> list[str]:
    return list(ort.get_available_providers())


def create_session(model_path: Path, options: SessionOptions) -> ort.InferenceSession:
    """Open ``model_path`` with the configured providers, threads and graph options; raise
    ``ModelError`` on failure.

    ONNX Runtime sessions are thread-safe for ``run``: one session serves all request threads.
    """
    missing = [p for p in options.providers if p not in available_providers()]
    if missing:
        raise ModelError(
            f"execution provider(s) {', '.join(missing)} are not available in this onnxruntime "
            f"build (available: {', '.join(available_providers())}); install the matching "
            "onnxruntime package (onnxruntime-gpu, onnxruntime-openvino) or change FACEREC_PROVIDERS"
        )
    model = model_path.read_bytes()
    rewritten = 0
    if options.rewrite_prelu and options.providers[:1] == ("CPUExecutionProvider",):
        try:
            model, rewritten = rewrite_prelu(model)
        except GraphFormatError as exc:
            raise ModelError(f"cannot read model {model_path.name}: {exc}") from exc
    try:
        session = ort.InferenceSession(
            model, sess_options=session_options(options), providers=list(options.providers)
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors; translate at the edge
        raise ModelError(f"cannot load model {model_path.name}: {exc}") from exc
    log.info(
        "loaded %s with providers %s%s",
        model_path.name,
        session.get_providers(),
        f" ({rewritten} PRelu nodes rewritten)" if rewritten else "",
    )
    return session


def session_options(options: SessionOptions) -> ort.SessionOptions:
    """ONNX Runtime's own options object for ``options`` (threads, execution mode, graph level)."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = options.intra_op_threads
    so.inter_op_num_threads = options.inter_op_threads
    so.execution_mode = EXECUTION_MODES[options.execution_mode]
    so.graph_optimization_level = GRAPH_OPTIMIZATIONS[options.graph_optimization]
    so.add_session_config_entry("session.intra_op.allow_spinning", "1" if options.spin else "0")
    so.log_severity_level = 3
    return so


def provider_in_use(session: ort.InferenceSession) -> str:
    """The first provider the session really runs on."""
    return str(session.get_providers()[0])
