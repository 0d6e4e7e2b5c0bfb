"""The PRelu rewrite: the bundled recognizer, rewritten, gives the very same embeddings as published."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
import pytest

from facerec.engine.align import align_face
from facerec.engine.graph import GraphFormatError, op_types, rewrite_prelu
from facerec.engine.image import decode_image
from facerec.engine.models import PackFiles, bundled_dir, get_pack, verify_pack
from facerec.engine.pipeline import DetectionOptions, FaceEngine
from facerec.engine.session import SessionOptions, create_session, session_options
from facerec.errors import ModelError


@pytest.fixture(scope="module")
def files() -> PackFiles:
    return verify_pack(get_pack("bundled"), bundled_dir())


def test_the_recognizer_loses_its_prelu_nodes_and_keeps_everything_else(files: PackFiles) -> None:
    published = files.recognizer_path.read_bytes()
    rewritten, replaced = rewrite_prelu(published)
    before, after = op_types(published), op_types(rewritten)
    assert replaced == before["PRelu"] == 34
    assert after["PRelu"] == 0
    # Each PRelu: a Relu, a negating 1x1 depthwise convolution and its Relu, a scaling one, an Add.
    assert after["Conv"] == before["Conv"] + 2 * replaced
    assert after["Relu"] == before["Relu"] + 2 * replaced
    assert after["Add"] == before["Add"] + replaced
    assert after["Max"] == after["Min"] == 0


def tiny_prelu_model(slope: np.ndarray) -> bytes:  # type: ignore[type-arg]
    """Conv -> PRelu(slope) -> Conv on 1 x 4 x 5 x 5, as an exporter writes it."""
    onnx = pytest.importorskip("onnx")
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=(4, 4, 3, 3)).astype(np.float32) for _ in range(2)]
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "w1"], ["y"], pads=[1, 1, 1, 1]),
            helper.make_node("PRelu", ["y", "slope"], ["z"]),
            helper.make_node("Conv", ["z", "w2"], ["out"], pads=[1, 1, 1, 1]),
        ],
        "tiny",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [None, 4, 5, 5])],
        [helper.make_tensor_value_info("out", onnx.TensorProto.FLOAT, [None, 4, 5, 5])],
        [
            numpy_helper.from_array(weights[0], "w1"),
            numpy_helper.from_array(weights[1], "w2"),
            numpy_helper.from_array(slope.astype(np.float32), "slope"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7
    return bytes(model.SerializeToString())


@pytest.mark.parametrize(
    ("slope", "expected"),
    [
        (np.array([0.25, -0.5, 1.5, 0.0]).reshape(4, 1, 1), {"Conv": 2, "Relu": 2, "Add": 1}),
        (np.array([0.25]), {"Max": 1, "Min": 1, "Mul": 1, "Add": 1}),  # one slope for all
        (np.array([0.1, 0.2, 0.3, 0.4, 0.5]), {"Max": 1, "Min": 1, "Mul": 1, "Add": 1}),
    ],
    ids=["per-channel", "scalar", "per-column"],
)
def test_each_form_of_slope_gives_the_same_values_bit_for_bit(
    slope: np.ndarray,  # type: ignore[type-arg]
    expected: dict[str, int],
) -> None:
    published = tiny_prelu_model(slope)
    rewritten, replaced = rewrite_prelu(published)
    assert replaced == 1
    types = op_types(rewritten)
    assert types["PRelu"] == 0
    assert {op: types[op] - op_types(published)[op] for op in expected} == expected
    x = np.random.default_rng(2).normal(size=(3, 4, 5, 5)).astype(np.float32)
    outputs = [
        ort.InferenceSession(m, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
        for m in (published, rewritten)
    ]
    assert np.array_equal(outputs[0], outputs[1])


def test_a_model_without_prelu_comes_back_unchanged(files: PackFiles) -> None:
    detector = files.detector_path.read_bytes()
    assert op_types(detector)["PRelu"] == 0
    rewritten, replaced = rewrite_prelu(detector)
    assert replaced == 0
    assert rewritten is detector


def test_rewritten_recognizer_gives_bit_identical_embeddings(
    files: PackFiles, samples: Path
) -> None:
    published = files.recognizer_path.read_bytes()
    options = session_options(SessionOptions(intra_op_threads=1))
    sessions = [
        ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        for model in (published, rewrite_prelu(published)[0])
    ]
    # Real aligned faces (all 22 of players.jpg, in one batch) and noise that crosses zero.
    image = decode_image(
        (samples / "players.jpg").read_bytes(), max_bytes=10**8, max_pixels=10**8
    ).pixels
    engine = FaceEngine(files, SessionOptions(rewrite_prelu=False), DetectionOptions())
    faces = engine.detect(image)
    crops = [align_face(image, np.asarray(f.landmarks, np.float32)) for f in faces]
    blob = cv2.dnn.blobFromImages(crops, 1 / 127.5, (112, 112), (127.5,) * 3, swapRB=True)
    noise = np.random.default_rng(0).uniform(-1, 1, (3, 3, 112, 112)).astype(np.float32)
    name = sessions[0].get_inputs()[0].name
    for batch in (blob, blob[:1], noise):
        a, b = (s.run(None, {name: batch})[0] for s in sessions)
        assert np.array_equal(a, b)


def test_the_engine_rewrites_on_the_cpu_and_embeds_alike(files: PackFiles, samples: Path) -> None:
    image = decode_image(
        (samples / "yaoming.jpg").read_bytes(), max_bytes=10**8, max_pixels=10**8
    ).pixels
    rewritten = FaceEngine(files, SessionOptions(), DetectionOptions())
    published = FaceEngine(files, SessionOptions(rewrite_prelu=False), DetectionOptions())
    a, b = rewritten.analyze(image)[0], published.analyze(image)[0]
    assert np.array_equal(a.embedding, b.embedding)


def test_an_unreadable_model_is_a_model_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"\x0b\x00\x01")  # wire type 3 (a group): not an ONNX model
    with pytest.raises(GraphFormatError):
        rewrite_prelu(broken.read_bytes())
    with pytest.raises(ModelError, match=r"broken\.onnx"):
        create_session(broken, SessionOptions())
    with pytest.raises(ModelError, match=r"broken\.onnx"):
        create_session(broken, replace(SessionOptions(), rewrite_prelu=False))
