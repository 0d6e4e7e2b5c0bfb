"""The one ONNX Runtime session factory: execution providers and thread counts come from here only.

Providers are asked for by name in order of preference (``CPUExecutionProvider`` by default;
``CUDAExecutionProvider`` or ``OpenVINOExecutionProvider`` when their onnxruntime build is installed).
Asking for one that this build lacks is refused with a clear message rather than silently falling back;
the provider really in use is read back from the session and reported.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import onnxruntime as ort

from facerec.errors import ModelError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SessionOptions:
    providers: tuple[str, ...] = ("CPUExecutionProvider",)
    intra_op_threads: int = 0
    inter_op_threads: int = 1


def available_providers() -> list[str]:
    return list(ort.get_available_providers())


def create_session(model_path: Path, options: SessionOptions) -> ort.InferenceSession:
    """Open ``model_path`` with the configured providers and threads; raise ``ModelError`` on failure.

    ONNX Runtime sessions are thread-safe for ``run``: one session serves all request threads.
    """
    missing = [p for p in options.providers if p not in available_providers()]
    if missing:
        raise ModelError(
            f"execution provider(s) {', '.join(missing)} are not available in this onnxruntime "
            f"build (available: {', '.join(available_providers())}); install the matching "
            "onnxruntime package (onnxruntime-gpu, onnxruntime-openvino) or change FACEREC_PROVIDERS"
        )
    so = ort.SessionOptions()
    so.intra_op_num_threads = options.intra_op_threads
    so.inter_op_num_threads = options.inter_op_threads
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    try:
        session = ort.InferenceSession(
            str(model_path), sess_options=so, providers=list(options.providers)
        )
    except Exception as exc:  # onnxruntime raises its own untyped errors; translate at the edge
        raise ModelError(f"cannot load model {model_path.name}: {exc}") from exc
    log.info("loaded %s with providers %s", model_path.name, session.get_providers())
    return session


def provider_in_use(session: ort.InferenceSession) -> str:
    """The first provider the session really runs on."""
    return str(session.get_providers()[0])
