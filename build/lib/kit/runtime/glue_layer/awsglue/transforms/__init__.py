"""Glue's transforms, each with ``Transform.apply(frame=..., ...)`` as documented."""

from __future__ import annotations

import json

from awsglue.transforms.apply_mapping import ApplyMapping
from awsglue.transforms.collection_transforms import FlatMap, MapToCollection, SelectFromCollection
from awsglue.transforms.drop_nulls import DropNullFields
from awsglue.transforms.dynamicframe_filter import Filter
from awsglue.transforms.dynamicframe_map import Map
from awsglue.transforms.errors_as_dynamicframe import ErrorsAsDynamicFrame
from awsglue.transforms.field_transforms import (
    DropFields,
    Join,
    RenameField,
    SelectFields,
    Spigot,
    SplitFields,
    SplitRows,
)
from awsglue.transforms.relationalize import Relationalize
from awsglue.transforms.resolve_choice import ResolveChoice
from awsglue.transforms.transform import GlueTransform  # noqa: I001 - base first
from awsglue.transforms.unbox import Unbox
from awsglue.transforms.union import Union
from awsglue.transforms.unnest_frame import UnnestFrame

ALL_TRANSFORMS = {
    Unbox, RenameField, DropFields, SplitFields, SelectFields, SplitRows, UnnestFrame,
    Relationalize, SelectFromCollection, MapToCollection, ErrorsAsDynamicFrame, FlatMap,
    DropNullFields, Join, ApplyMapping, ResolveChoice, Spigot, Filter, Map, Union,
}

__all__ = [t.__name__ for t in ALL_TRANSFORMS] + ["GlueTransform"]


def get_transforms() -> set[GlueTransform]:
    return {t() for t in ALL_TRANSFORMS}


def get_transform(name: str) -> GlueTransform | None:
    found = [t for t in get_transforms() if t.name().lower() == name.lower()]
    return found[0] if found else None


def describe_transform(name: str) -> str:
    transform = get_transform(name)
    description = transform.describe() if transform else {}
    return json.dumps(description, sort_keys=True, indent=4, separators=(",", ": "))
