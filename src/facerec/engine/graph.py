"""A load-time rewrite of ONNX graphs that ONNX Runtime's CPU provider runs slowly: ``PRelu``.

InsightFace's recognizers (MobileFaceNet, IResNet) put a ``PRelu`` after most convolutions. ONNX
Runtime runs it as a general broadcasting kernel outside its blocked (NCHWc) convolution layout,
with a layout conversion before and after each, which on the bundled w600k_mbf makes the PRelu
nodes a large share of the recognizer's time. Rewritten with the operators that the blocked layout
keeps, the same values come out bit for bit and the recognizer runs much faster (the embed column
of bench/results/engine.md, with and without facerec's speed-ups):

    PRelu(x, s) = Relu(x) + DepthwiseConv1x1(Relu(DepthwiseConv1x1(x, -1)), -s)

Each term is exact: a 1x1 depthwise convolution without bias is one multiplication per value, by
-1 or by -s, and one of the two terms is always an exact zero. ONNX Runtime fuses the inner
``Relu`` and the ``Add`` into the convolutions. A ``PRelu`` whose slope is not a per-channel
constant (C x 1 x 1) becomes ``Max(x, 0) + s * Min(x, 0)``, also exact, and faster too.

The rewrite edits the protobuf wire format directly, so that serving needs no ``onnx`` package: it
touches only the graph's node list and adds initializers, and copies every other byte as it is. It
runs on the verified model bytes, in memory; the file on disk stays as published. Imports the
standard library and numpy only.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

# Field numbers of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
# OperatorSetIdProto).
MODEL_GRAPH, MODEL_OPSET = 7, 8
GRAPH_NODE, GRAPH_INITIALIZER = 1, 5
NODE_INPUT, NODE_OUTPUT, NODE_NAME, NODE_OP_TYPE, NODE_ATTRIBUTE, NODE_DOMAIN = 1, 2, 3, 4, 5, 7
ATTRIBUTE_NAME, ATTRIBUTE_INT, ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT = 1, 3, 20, 2
TENSOR_DIMS, TENSOR_DATA_TYPE, TENSOR_FLOAT_DATA, TENSOR_NAME, TENSOR_RAW_DATA = 1, 2, 4, 8, 9
TENSOR_DATA_LOCATION = 14
OPSET_DOMAIN, OPSET_VERSION = 1, 2
FLOAT = 1  # TensorProto.DataType
VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5
MIN_OPSET = 8  # Max and Min broadcast from opset 8 on
PREFIX = "facerec_prelu/"

FloatArray = npt.NDArray[np.float32]


class GraphFormatError(ValueError):
    """The bytes are not an ONNX model this rewrite understands."""


def rewrite_prelu(model: bytes) -> tuple[bytes, int]:
    """The model with every ``PRelu`` rewritten as described above, and the number of nodes
    rewritten. A model without ``PRelu`` (or of an opset older than 8) comes back unchanged, byte
    for byte."""
    if _default_opset(model) < MIN_OPSET:
        return model, 0
    out = bytearray()
    replaced = 0
    for number, wire, raw, payload in _fields(model):
        if number == MODEL_GRAPH and wire == LENGTH:
            graph, replaced = _rewrite_graph(payload)
            out += _length_field(MODEL_GRAPH, graph)
        else:
            out += raw
    return (bytes(out), replaced) if replaced else (model, 0)


def op_types(model: bytes) -> Counter[str]:
    """How many nodes of each operator type the model's main graph has."""
    counts: Counter[str] = Counter()
    for number, wire, _, payload in _fields(model):
        if number == MODEL_GRAPH and wire == LENGTH:
            for n, w, _, node in _fields(payload):
                if n == GRAPH_NODE and w == LENGTH:
                    counts[_node(node)[0]] += 1
    return counts


def _rewrite_graph(graph: bytes) -> tuple[bytes, int]:
    slopes = _channel_slopes(graph)
    nodes, initializers = bytearray(), bytearray()
    replaced = 0
    zero, zero_added = f"{PREFIX}zero", False
    for number, wire, raw, payload in _fields(graph):
        if number != GRAPH_NODE or wire != LENGTH:
            nodes += raw
            continue
        op_type, domain, inputs, outputs = _node(payload)
        if op_type != "PRelu" or domain not in ("", "ai.onnx") or len(inputs) != 2:
            nodes += raw
            continue
        (x, slope), (y,) = inputs, outputs[:1]
        tag = f"{PREFIX}{replaced}/"
        if slope in slopes:
            negated = -slopes[slope]
            channels = negated.size
            minus_one, minus_slope = f"{tag}minus_one", f"{tag}minus_slope"
            initializers += _tensor(minus_one, -np.ones(channels, np.float32))
            initializers += _tensor(minus_slope, negated)
            group = _attribute_int("group", channels)
            new_nodes = [
                _node_bytes("Relu", [x], [f"{tag}positive"], f"{tag}relu"),
                _node_bytes("Conv", [x, minus_one], [f"{tag}negated"], f"{tag}negate", group),
                _node_bytes("Relu", [f"{tag}negated"], [f"{tag}negative"], f"{tag}relu_negated"),
                _node_bytes(
                    "Conv", [f"{tag}negative", minus_slope], [f"{tag}scaled"], f"{tag}scale", group
                ),
                _node_bytes("Add", [f"{tag}positive", f"{tag}scaled"], [y], f"{tag}add"),
            ]
        else:
            if not zero_added:
                initializers += _scalar_zero(zero)
                zero_added = True
            new_nodes = [
                _node_bytes("Max", [x, zero], [f"{tag}positive"], f"{tag}max"),
                _node_bytes("Min", [x, zero], [f"{tag}negative"], f"{tag}min"),
                _node_bytes("Mul", [f"{tag}negative", slope], [f"{tag}scaled"], f"{tag}mul"),
                _node_bytes("Add", [f"{tag}positive", f"{tag}scaled"], [y], f"{tag}add"),
            ]
        for node in new_nodes:
            nodes += _length_field(GRAPH_NODE, node)
        replaced += 1
    return bytes(nodes + initializers), replaced


def _channel_slopes(graph: bytes) -> dict[str, FloatArray]:
    """The graph's float32 initializers shaped C x 1 x 1 (a per-channel PRelu slope), by name."""
    found: dict[str, FloatArray] = {}
    for number, wire, _, payload in _fields(graph):
        if number != GRAPH_INITIALIZER or wire != LENGTH:
            continue
        name, dims, values = _float_tensor(payload)
        per_channel = len(dims) == 3 and dims[1:] == [1, 1]
        if name and values is not None and per_channel and values.size == dims[0]:
            found[name] = values
    return found


def _float_tensor(payload: bytes) -> tuple[str, list[int], FloatArray | None]:
    """(name, dims, values) of a TensorProto; values None unless float32 stored inside the model."""
    name, data_type, raw, floats, external = "", 0, b"", bytearray(), False
    dims: list[int] = []
    for number, wire, _, value in _fields(payload):
        if number == TENSOR_NAME and wire == LENGTH:
            name = value.decode()
        elif number == TENSOR_DIMS and wire == VARINT:
            dims.append(_read_varint(value, 0)[0])
        elif number == TENSOR_DIMS and wire == LENGTH:  # packed
            pos = 0
            while pos < len(value):
                dim, pos = _read_varint(value, pos)
                dims.append(dim)
        elif number == TENSOR_DATA_TYPE and wire == VARINT:
            data_type = _read_varint(value, 0)[0]
        elif number == TENSOR_RAW_DATA and wire == LENGTH:
            raw = value
        elif number == TENSOR_FLOAT_DATA and wire in (LENGTH, FIXED32):
            floats += value
        elif number == TENSOR_DATA_LOCATION and wire == VARINT:
            external = _read_varint(value, 0)[0] == 1
    if data_type != FLOAT or external:
        return name, dims, None
    data = raw or bytes(floats)
    if len(data) % 4:
        raise GraphFormatError(f"tensor {name!r} has a partial float")
    return name, dims, np.frombuffer(data, dtype="<f4").astype(np.float32)


def _node(payload: bytes) -> tuple[str, str, list[str], list[str]]:
    """(op_type, domain, inputs, outputs) of a NodeProto."""
    op_type, domain, inputs, outputs = "", "", [], []
    for number, wire, _, value in _fields(payload):
        if wire != LENGTH:
            continue
        if number == NODE_OP_TYPE:
            op_type = value.decode()
        elif number == NODE_DOMAIN:
            domain = value.decode()
        elif number == NODE_INPUT:
            inputs.append(value.decode())
        elif number == NODE_OUTPUT:
            outputs.append(value.decode())
    return op_type, domain, inputs, outputs


def _default_opset(model: bytes) -> int:
    for number, wire, _, payload in _fields(model):
        if number == MODEL_OPSET and wire == LENGTH:
            domain, version = "", 0
            for n, w, _, value in _fields(payload):
                if n == OPSET_DOMAIN and w == LENGTH:
                    domain = value.decode()
                elif n == OPSET_VERSION and w == VARINT:
                    version = _read_varint(value, 0)[0]
            if domain in ("", "ai.onnx"):
                return version
    return 0


def _node_bytes(
    op_type: str, inputs: list[str], outputs: list[str], name: str, *attributes: bytes
) -> bytes:
    fields = [_length_field(NODE_INPUT, i.encode()) for i in inputs]
    fields += [_length_field(NODE_OUTPUT, o.encode()) for o in outputs]
    fields += [
        _length_field(NODE_NAME, name.encode()),
        _length_field(NODE_OP_TYPE, op_type.encode()),
    ]
    fields += [_length_field(NODE_ATTRIBUTE, a) for a in attributes]
    return b"".join(fields)


def _attribute_int(name: str, value: int) -> bytes:
    return (
        _length_field(ATTRIBUTE_NAME, name.encode())
        + _varint_field(ATTRIBUTE_INT, value)
        + _varint_field(ATTRIBUTE_TYPE, ATTRIBUTE_TYPE_INT)
    )


def _tensor(name: str, values: FloatArray) -> bytes:
    """An initializer of C float32 weights shaped C x 1 x 1 x 1 (a 1x1 depthwise kernel)."""
    dims = b"".join(_varint_field(TENSOR_DIMS, d) for d in (values.size, 1, 1, 1))
    tensor = (
        dims
        + _varint_field(TENSOR_DATA_TYPE, FLOAT)
        + _length_field(TENSOR_NAME, name.encode())
        + _length_field(TENSOR_RAW_DATA, values.astype("<f4").tobytes())
    )
    return _length_field(GRAPH_INITIALIZER, tensor)


def _scalar_zero(name: str) -> bytes:
    tensor = (
        _varint_field(TENSOR_DATA_TYPE, FLOAT)
        + _length_field(TENSOR_NAME, name.encode())
        + _length_field(TENSOR_RAW_DATA, struct.pack("<f", 0.0))
    )
    return _length_field(GRAPH_INITIALIZER, tensor)


# Protobuf wire format -----------------------------------------------------------------------------


def _fields(data: bytes) -> Iterator[tuple[int, int, bytes, bytes]]:
    """Each field of a message: (number, wire type, its raw bytes key included, its value); a
    varint's value is its encoded bytes."""
    pos, end = 0, len(data)
    while pos < end:
        start = pos
        key, pos = _read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == VARINT:
            _, after = _read_varint(data, pos)
            value, pos = data[pos:after], after
        elif wire == LENGTH:
            size, pos = _read_varint(data, pos)
            value, pos = data[pos : pos + size], pos + size
        elif wire == FIXED64:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == FIXED32:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise GraphFormatError(f"unsupported protobuf wire type {wire}")
        if pos > end:
            raise GraphFormatError("truncated protobuf message")
        yield number, wire, data[start:pos], value


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise GraphFormatError("malformed varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3 | VARINT) + _varint(value)


def _length_field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | LENGTH) + _varint(len(payload)) + payload
