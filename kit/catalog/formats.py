"""Short storage format names mapped to Hive classes, as the Glue console fills them in."""

from __future__ import annotations

from dataclasses import dataclass, field

TEXT_INPUT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


@dataclass(frozen=True)
class StorageFormat:
    """InputFormat, OutputFormat and SerDe of a table, plus its ``classification``."""

    classification: str
    input_format: str
    output_format: str
    serde: str
    serde_parameters: dict[str, str] = field(default_factory=dict)


FORMATS: dict[str, StorageFormat] = {
    "parquet": StorageFormat(
        "parquet",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
        {"serialization.format": "1"},
    ),
    "csv": StorageFormat(
        "csv",
        TEXT_INPUT,
        TEXT_OUTPUT,
        "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        {"field.delim": ","},
    ),
    "json": StorageFormat("json", TEXT_INPUT, TEXT_OUTPUT, "org.openx.data.jsonserde.JsonSerDe"),
}


def short_name(input_format: str, output_format: str, serde: str) -> str | None:
    """The short name whose classes are exactly these, if any (for ``kit catalog pull``)."""
    for name, fmt in FORMATS.items():
        if (fmt.input_format, fmt.output_format, fmt.serde) == (input_format, output_format, serde):
            return name
    return None
