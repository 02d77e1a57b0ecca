#!/usr/bin/env python3
"""Writes Tests/Fixtures/onnx/wire.onnx with the `onnx` Python package (protobuf's own serialiser).

The Swift test ONNXWireTests builds the same model with nnzoo's hand-written protobuf writer and
checks that it encodes to exactly these bytes, and that nnzoo's reader decodes these bytes to that
model. The model exercises every field nnzoo writes: model and graph strings, model_version,
two operator sets, metadata_props in a given order, initialisers in raw_data, value infos with a
named and fixed dimensions, node names, doc strings and domains, and attributes of each kind nnzoo
reads (FLOAT, INT with a negative value, STRING, TENSOR, FLOATS, INTS, STRINGS), given in name order
as onnx.helper sorts them. It is not a model to run.

    python Tools/reference/onnx_fixtures.py      (needs numpy and onnx; any version with IR 8)
"""
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    weight = numpy_helper.from_array(np.arange(-4, 5, dtype=np.float32).reshape(1, 1, 3, 3) / 4, name="0.weight")
    bias = numpy_helper.from_array(np.array([0.5], dtype=np.float32), name="0.bias")
    constant = numpy_helper.from_array(np.array([[1.5, -2.25]], dtype=np.float32), name="")
    nodes = [
        helper.make_node("Mul", ["pixels", "scale"], ["scaled"], name="normalize.Mul"),
        helper.make_node(
            "Conv", ["scaled", "0.weight", "0.bias"], ["0.output"], name="0.Conv2d",
            dilations=[1, 1], group=1, kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
        helper.make_node("BatchNormalization", ["0.output"], ["1.output"], name="1.BatchNorm2d", epsilon=1e-5),
        helper.make_node("Softmax", ["1.output"], ["2.output"], axis=-1),
        helper.make_node("Constant", [], ["k"], name="constant", value=constant),
        helper.make_node(
            "Anything", ["2.output", "k"], ["scores"], name="custom", doc_string="a node of another domain",
            domain="ai.nnzoo.test", floats=[0.5, -2.0], mode="nearest", strings=["a", "é"]),
    ]
    graph = helper.make_graph(
        nodes, "fixture",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["N", 1, 4, 4])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 10])],
        initializer=[weight, bias], doc_string="the graph's doc string")
    model = helper.make_model(
        graph, ir_version=8, producer_name="nnzoo-fixture", producer_version="1.0", domain="ai.nnzoo",
        model_version=3, doc_string="not a model to run", opset_imports=[])
    # onnx.helper.make_opsetid sets domain "" explicitly (a present, empty field); nnzoo, like a proto3
    # writer, leaves an empty domain out, so the default domain's entry is built without it.
    model.opset_import.add().version = 17
    custom = model.opset_import.add()
    custom.domain, custom.version = "ai.nnzoo.test", 1
    helper.set_model_props(model, {"class_names": '["a","b"]', "dataset": "digits"})
    path = os.path.join(ROOT, "Tests", "Fixtures", "onnx", "wire.onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    print(f"wrote {path} ({os.path.getsize(path)} bytes) with onnx {onnx.__version__}")


if __name__ == "__main__":
    main()
