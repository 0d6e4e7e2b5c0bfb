"""The one session factory: the options reach ONNX Runtime, change speed and never the results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import astuple
from pathlib import Path

import onnxruntime as ort
import pytest

from facerec.engine.image import decode_image
from facerec.engine.models import PackFiles, bundled_dir, get_pack, verify_pack
from facerec.engine.pipeline import DetectionOptions, FaceEngine
from facerec.engine.session import SessionOptions, create_session, session_options
from facerec.errors import ModelError


@pytest.fixture(scope="module")
def files() -> PackFiles:
    return verify_pack(get_pack("bundled"), bundled_dir())


def test_the_options_reach_onnx_runtime() -> None:
    so = session_options(
        SessionOptions(
            intra_op_threads=1,
            inter_op_threads=2,
            execution_mode="parallel",
            graph_optimization="basic",
            spin=False,
        )
    )
    assert (so.intra_op_num_threads, so.inter_op_num_threads) == (1, 2)
    assert so.execution_mode == ort.ExecutionMode.ORT_PARALLEL
    assert so.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    assert so.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    default = session_options(SessionOptions())
    assert (default.intra_op_num_threads, default.inter_op_num_threads) == (1, 1)
    assert default.execution_mode == ort.ExecutionMode.ORT_SEQUENTIAL
    assert default.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert default.get_session_config_entry("session.intra_op.allow_spinning") == "0"


@pytest.mark.parametrize(
    "options",
    [
        SessionOptions(intra_op_threads=0, spin=True),
        SessionOptions(intra_op_threads=2),
        SessionOptions(execution_mode="parallel", inter_op_threads=2),
        SessionOptions(graph_optimization="disabled"),
    ],
    ids=["all-cores-spinning", "intra2", "parallel", "no-graph-optimisation"],
)
def test_thread_and_graph_options_leave_the_embeddings_alone(
    files: PackFiles, samples: Path, options: SessionOptions
) -> None:
    image = decode_image(
        (samples / "players.jpg").read_bytes(), max_bytes=10**8, max_pixels=10**8
    ).pixels
    reference = FaceEngine(files, SessionOptions(), DetectionOptions()).analyze(image)
    faces = FaceEngine(files, options, DetectionOptions()).analyze(image)
    assert len(faces) == len(reference) == 22
    for a, b in zip(faces, reference, strict=True):
        assert astuple(a.face.bbox) == pytest.approx(astuple(b.face.bbox), abs=0.05)
        assert float(a.embedding @ b.embedding) > 0.9999


def test_a_provider_this_build_lacks_is_refused(files: PackFiles) -> None:
    with pytest.raises(ModelError, match="NoSuchExecutionProvider"):
        create_session(
            files.recognizer_path, SessionOptions(providers=("NoSuchExecutionProvider",))
        )


def run_python(code: str, **env: str) -> str:
    """``code`` in a fresh Python, without this process's facerec or BLAS thread settings."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("FACEREC_", "OPENBLAS_", "OMP_"))
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_facerec_changes_no_environment_variable() -> None:
    # Some libraries facerec uses set variables of their own when imported (OpenCV, for one): they
    # are imported first, so that what is left to compare is facerec's own doing.
    code = """
import json, os
before = dict(os.environ)
import facerec, facerec.config
package = dict(os.environ)
import cv2, faiss, fastapi, numpy, onnxruntime, PIL.Image, scipy, sqlalchemy, typer, uvicorn
libraries = dict(os.environ)
import facerec.api.app, facerec.cli, facerec.service.runtime
print(json.dumps([package == before, dict(os.environ) == libraries]))
"""
    assert json.loads(run_python(code)) == [True, True]


BLAS_THREADS = """
import json
from threadpoolctl import threadpool_info
from facerec.config import Settings
from facerec.service.runtime import load_engine

def blas_threads():
    return sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})

before = blas_threads()
load_engine(Settings(_env_file=None, model_download=False))
print(json.dumps([before, blas_threads()]))
"""


@pytest.mark.parametrize(
    ("env", "threads"),
    [({}, 1), ({"FACEREC_BLAS_THREADS": "2"}, 2), ({"OPENBLAS_NUM_THREADS": "2"}, 2)],
    ids=["default", "setting", "openblas-variable"],
)
def test_the_engine_sets_blas_threads_when_it_starts(env: dict[str, str], threads: int) -> None:
    before, after = json.loads(run_python(BLAS_THREADS, **env))
    assert after == [threads]
    if not env and (os.cpu_count() or 1) > 1:
        assert before != [1]  # importing facerec left BLAS its own choice
