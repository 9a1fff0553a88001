import trainwright


def test_public_names_are_pinned():
    assert sorted(trainwright.__all__) == sorted([
        "Artifact", "ArtifactError", "ConfigError", "DataError", "Predictions", "Predictor", "RunConfig",
        "TrainResult", "TrainwrightError", "build_config", "cross_validate", "distill", "evaluate", "export_onnx",
        "load", "load_artifact", "predict_file", "train", "tune", "__version__",
    ])
    for name in trainwright.__all__:
        assert hasattr(trainwright, name), name
