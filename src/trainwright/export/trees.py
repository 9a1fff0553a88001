"""A LightGBM model (or a bag of them) as an ONNX graph, through onnxmltools' LightGBM converter.

The PyTorch tracer cannot follow a booster (its trees run in LightGBM's C++ code), so the trees are converted by
onnxmltools into an ONNX-ML TreeEnsemble node, which onnxruntime runs. The graph then takes the inputs of every
other table model and returns the same logits:

    numeric (batch, n) float32, categorical (batch, k) int64 -> Concat(numeric, Cast(categorical)) -> trees
    -> logits (batch, outputs): the raw scores (the converter's sigmoid/softmax is turned off)

A bag (train.ensemble) averages its members as EnsembleModel does: mean of the sigmoids (binary, then its Platt
scaling) or of the softmaxes (multiclass), back to logits; the mean for regression.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from torch import nn

from ..extras import require
from ..models.boosted import BoostedTrees
from ..models.ensemble import EnsembleModel
from .graph import OUTPUT

OPSET = 15  # the highest onnxmltools' LightGBM converter targets; onnxruntime 1.18+ runs it
ML_OPSET = 1  # ai.onnx.ml: TreeEnsembleClassifier/Regressor


def has_trees(model: nn.Module) -> bool:
    return any(isinstance(m, BoostedTrees) for m in model.modules())


def export_trees(model: nn.Module, path: str | Path) -> None:
    """Write the ONNX graph of a BoostedTrees model, or of an EnsembleModel of them, to `path`."""
    onnx = require("onnx", "Exporting LightGBM to ONNX")
    require("onnxmltools", "Exporting LightGBM to ONNX")
    from onnx import TensorProto, helper

    members = list(model.members) if isinstance(model, EnsembleModel) else [model]
    config = members[0].config
    inputs, nodes = [], []
    parts = []
    if config.num_numeric:
        inputs.append(helper.make_tensor_value_info("numeric", TensorProto.FLOAT, ["batch", config.num_numeric]))
        parts.append("numeric")
    if config.cardinalities:
        inputs.append(helper.make_tensor_value_info("categorical", TensorProto.INT64,
                                                    ["batch", len(config.cardinalities)]))
        nodes.append(helper.make_node("Cast", ["categorical"], ["categorical_float"], to=TensorProto.FLOAT))
        parts.append("categorical_float")
    nodes.append(helper.make_node("Concat", parts, ["features"], axis=1))
    initializers = []
    logits = []
    for k, member in enumerate(members):
        member_nodes, member_initializers, output = _member_graph(member, f"m{k}_")
        nodes += member_nodes
        initializers += member_initializers
        logits.append(output)
    if isinstance(model, EnsembleModel):
        more_nodes, more_initializers = _average(model.config, logits)
        nodes += more_nodes
        initializers += more_initializers
    else:
        nodes.append(helper.make_node("Identity", [logits[0]], [OUTPUT]))
    output = helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", config.num_outputs])
    graph = helper.make_graph(nodes, "trainwright_lightgbm", inputs, [output], initializers)
    graph_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET),
                                                          helper.make_opsetid("ai.onnx.ml", ML_OPSET)])
    graph_model.ir_version = 8
    onnx.checker.check_model(graph_model)
    onnx.save(graph_model, str(path))


def _member_graph(trees: BoostedTrees, prefix: str):
    """The converter's nodes for one booster, reading "features" and ending in (batch, outputs) raw scores."""
    import onnxmltools
    from onnx import compose, helper
    from onnxmltools.convert.common.data_types import FloatTensorType

    width = trees.config.num_numeric + len(trees.config.cardinalities)
    converted = onnxmltools.convert_lightgbm(trees.booster_, target_opset=OPSET, zipmap=False,
                                             initial_types=[("features", FloatTensorType([None, width]))])
    thresholds = _thresholds(trees.booster_)
    for node in converted.graph.node:
        for attribute in node.attribute:
            if attribute.name == "post_transform":  # raw scores, as BoostedTrees.forward returns them
                attribute.s = b"NONE"
        if node.op_type.startswith("TreeEnsemble"):
            _round_down(node, thresholds)
    converted = compose.add_prefix(converted, prefix)
    graph = converted.graph
    nodes = [helper.make_node("Identity", ["features"], [f"{prefix}features"]), *graph.node]
    scores = graph.output[-1].name  # classifiers: (label, probabilities); regressors: (variable,)
    output = f"{prefix}logits"
    if trees.config.num_outputs == 1 and len(graph.output) == 2:  # binary: the classifier gives [-s, s]
        nodes.append(helper.make_node("Slice", [scores, f"{prefix}column", f"{prefix}end", f"{prefix}column"],
                                      [output]))
        initializers = [helper.make_tensor(f"{prefix}{name}", 7, [1], [value])  # 7: INT64
                        for name, value in (("column", 1), ("end", 2))]
        return nodes, [*graph.initializer, *initializers], output
    nodes.append(helper.make_node("Reshape", [scores, f"{prefix}outputs"], [output]))
    shape = helper.make_tensor(f"{prefix}outputs", 7, [2], [-1, trees.config.num_outputs])
    return nodes, [*graph.initializer, shape], output


def _thresholds(booster) -> dict[int, np.ndarray]:
    """Each feature's numeric split thresholds in the booster (float64), from its JSON dump."""
    found: dict[int, list[float]] = {}

    def visit(node: dict) -> None:
        if "split_feature" in node:
            if node["decision_type"] == "<=":
                found.setdefault(node["split_feature"], []).append(float(node["threshold"]))
            visit(node["left_child"])
            visit(node["right_child"])

    for tree in booster.dump_model()["tree_info"]:
        visit(tree["tree_structure"])
    return {feature: np.asarray(values) for feature, values in found.items()}


def _round_down(node, thresholds: dict[int, np.ndarray]) -> None:
    """Make the float32 thresholds the graph compares with give LightGBM's float64 decisions.

    The inputs are float32 values, and for a float32 x, x <= t (float64) exactly when x <= the largest float32
    not above t. The converter rounds t to the nearest float32 instead, which is one step too high about half the
    time: then a value equal to it (a training value beside the split, common in real tables) goes the other way.
    """
    attributes = {a.name: a for a in node.attribute}
    values = np.asarray(attributes["nodes_values"].floats, dtype=np.float32)
    for i, (feature, mode) in enumerate(zip(attributes["nodes_featureids"].ints, attributes["nodes_modes"].strings)):
        if mode != b"BRANCH_LEQ" or feature not in thresholds:
            continue
        exact = thresholds[feature]
        matching = exact[exact.astype(np.float32) == values[i]]
        if len(matching) and (matching < np.float64(values[i])).any():
            values[i] = np.nextafter(values[i], np.float32(-np.inf))
    attributes["nodes_values"].floats[:] = values.tolist()


def _average(config, logits: list[str]):
    """Nodes turning the members' logits into the logits of their mean prediction (see EnsembleModel)."""
    from onnx import helper, numpy_helper

    def constant(name, value):
        return numpy_helper.from_array(np.asarray(value, dtype=np.float32), name)

    nodes = [helper.make_node("Unsqueeze", [name, "axis0"], [f"{name}_1"]) for name in logits]
    initializers = [numpy_helper.from_array(np.array([0], dtype=np.int64), "axis0")]
    nodes.append(helper.make_node("Concat", [f"{name}_1" for name in logits], ["stacked"], axis=0))
    if config.task == "regression":
        nodes.append(helper.make_node("ReduceMean", ["stacked"], [OUTPUT], axes=[0], keepdims=0))
        return nodes, initializers
    if config.task == "binary":
        nodes += [helper.make_node("Sigmoid", ["stacked"], ["probability"]),
                  helper.make_node("ReduceMean", ["probability"], ["mean"], axes=[0], keepdims=0),
                  helper.make_node("Clip", ["mean", "low", "high"], ["clipped"]),
                  helper.make_node("Log", ["clipped"], ["log_p"]),
                  helper.make_node("Sub", ["one", "clipped"], ["rest"]),
                  helper.make_node("Log", ["rest"], ["log_q"])]
        initializers += [constant("low", 1e-7), constant("high", 1 - 1e-7), constant("one", 1.0)]
        scale, shift = config.calibration or (1.0, 0.0)
        nodes += [helper.make_node("Sub", ["log_p", "log_q"], ["logit"]),
                  helper.make_node("Mul", ["logit", "scale"], ["scaled"]),
                  helper.make_node("Add", ["scaled", "shift"], [OUTPUT])]
        initializers += [constant("scale", scale), constant("shift", shift)]
        return nodes, initializers
    nodes += [helper.make_node("Softmax", ["stacked"], ["probability"], axis=-1),
              helper.make_node("ReduceMean", ["probability"], ["mean"], axes=[0], keepdims=0),
              helper.make_node("Clip", ["mean", "low"], ["clipped"]),
              helper.make_node("Log", ["clipped"], [OUTPUT])]
    return nodes, [*initializers, constant("low", 1e-12)]
