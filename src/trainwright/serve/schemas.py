"""Request and response models generated from one saved model's inputs and classes.

The generated pydantic models make validation, error messages, `/docs` and `/openapi.json` exact for the model
being served: its column names, their types, which are required, and the labels it can answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..predictor import Predictor
from .image_inputs import TENSOR_NAME, example_image, serves_images

_STRICT = ConfigDict(extra="forbid", coerce_numbers_to_str=True)  # a category sent as 2 is the category "2"


@dataclass
class InputSchema:
    """The columns a model reads. Text columns are required; a table column left out is filled as in training."""

    text: list[str]
    numeric: list[str]
    categorical: list[str]
    categories: dict[str, list[str]] = field(default_factory=dict)  # known categories, most frequent first
    numeric_means: dict[str, float] = field(default_factory=dict)  # training means, for examples
    images: bool = False  # the model takes pictures (image_inputs.py), and the table columns above if any

    @classmethod
    def from_predictor(cls, predictor: Predictor) -> InputSchema:
        if serves_images(predictor) and not getattr(predictor, "reads_table_columns", False):
            return cls(text=[], numeric=[], categorical=[], images=True)
        stages = predictor.preprocessing
        features = stages.features
        categories = dict(getattr(features, "categories_", None) or {})
        means = dict(zip(features.numeric, features.mean_)) if features is not None else {}
        return cls(text=list(stages.text), numeric=list(stages.numeric), categorical=list(stages.categorical),
                   categories={c: list(categories.get(c, [])) for c in stages.categorical},
                   numeric_means={c: float(means[c]) for c in stages.numeric if c in means},
                   images=serves_images(predictor))

    @property
    def columns(self) -> list[str]:
        return ([TENSOR_NAME] if self.images else []) + self.text + self.numeric + self.categorical

    @property
    def takes_plain_texts(self) -> bool:
        """A model with one text column and nothing else takes plain strings; any other takes records."""
        return len(self.text) == 1 and not self.numeric and not self.categorical

    def example_inputs(self) -> list:
        if self.images and not (self.numeric or self.categorical):
            return [example_image()]
        if self.takes_plain_texts:
            return ["An example text to classify."]
        record: dict[str, Any] = {TENSOR_NAME: example_image()} if self.images else {}
        record.update({column: "An example text." for column in self.text})
        record.update({column: round(self.numeric_means.get(column, 0.0), 3) for column in self.numeric})
        record.update({column: (self.categories.get(column) or ["a category"])[0] for column in self.categorical})
        return [record]

    def describe(self) -> dict:
        """The schema as plain JSON, for /metadata and the page."""
        return {"takes_plain_texts": self.takes_plain_texts, "images": self.images, "text": self.text, "numeric": self.numeric,
                "categorical": self.categorical, "categories": self.categories, "numeric_means": self.numeric_means}


@dataclass
class ApiModels:
    """The generated pydantic models of `POST /predict`; `record` is None for a model that takes plain texts."""

    record: type[BaseModel] | None
    request: type[BaseModel]
    prediction: type[BaseModel]
    response: type[BaseModel]

    def inputs(self, request: BaseModel) -> list:
        """A validated request's inputs as Predictor.predict takes them: texts, or records holding the columns
        the client sent (a column left out stays out, as it would in a Predictor.predict call)."""
        if self.record is None:
            return list(request.inputs)
        return [record.model_dump(by_alias=True, exclude_unset=True) for record in request.inputs]


def build_api_models(schema: InputSchema, task: str, classes: list | None, max_inputs: int) -> ApiModels:
    record = None if schema.takes_plain_texts else _record_model(schema)
    item = str if record is None else record
    inputs = Annotated[list[item], Field(min_length=1, max_length=max_inputs,
                                         description=f"1 to {max_inputs} inputs, predicted in order.")]
    request = create_model(
        "PredictRequest", __config__=ConfigDict(extra="forbid", json_schema_extra={
            "examples": [{"inputs": schema.example_inputs()}]}),
        inputs=(inputs, ...))
    prediction = _prediction_model(task, classes)
    response = create_model("PredictResponse", model=(str, Field(description="The served model's name.")),
                            predictions=(list[prediction], Field(description="One per input, in input order.")))
    return ApiModels(record=record, request=request, prediction=prediction, response=response)


def _record_model(schema: InputSchema) -> type[BaseModel]:
    """One field per column. Python names are generated (a column may be called `class` or `my col`); the
    column's own name is the alias that JSON, validation messages and the OpenAPI schema use."""
    definitions = {}
    names = iter(f"column_{i}" for i in range(len(schema.columns)))
    for column in schema.text:
        # strict: a number where text belongs is a client's mistake, not the text "7"
        definitions[next(names)] = (str, Field(alias=column, strict=True, description="Text (required)."))
    for column in schema.numeric:
        number = Annotated[float, Field(allow_inf_nan=False)]
        definitions[next(names)] = (Optional[number], Field(None, alias=column,
                                                            description="A number; null or left out: missing."))
    for column in schema.categorical:
        known = schema.categories.get(column, [])
        hint = f" Known: {', '.join(known[:20])}{' ...' if len(known) > 20 else ''}." if known else ""
        definitions[next(names)] = (Optional[str], Field(None, alias=column, description=(
            "A category; null or left out: missing; an unseen one is treated as unknown." + hint)))
    return create_model("Record", __config__=_STRICT, **definitions)


def _label_type(classes: list | None):
    """Literal[...] of the classes where JSON Schema can state them exactly, else any scalar."""
    if classes and all(isinstance(c, (str, int, bool)) for c in classes):
        return Literal[tuple(classes)]
    return str | int | float | bool


def _prediction_model(task: str, classes: list | None) -> type[BaseModel]:
    if task == "regression":
        return create_model("Prediction", value=(float, Field(description="The predicted value.")))
    probabilities = create_model("ClassProbabilities", **{
        f"class_{i}": (float, Field(alias=str(name))) for i, name in enumerate(classes)})
    label = _label_type(classes)
    if task == "multilabel":
        return create_model(
            "Prediction", labels=(list[label], Field(description="The labels over 0.5, possibly none.")),
            probabilities=(probabilities, Field(description="Each label's own probability.")))
    return create_model(
        "Prediction", label=(label, Field(description="The most probable class.")),
        probabilities=(probabilities, Field(description="Each class's probability; they sum to 1.")))
