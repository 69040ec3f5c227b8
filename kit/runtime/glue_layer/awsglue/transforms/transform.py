"""``GlueTransform``: the base class; ``Transform.apply(...)`` builds one and calls it."""

from __future__ import annotations

from typing import Any


class GlueTransform:
    """Base of every transform: subclasses define ``__call__``."""

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        transform: Any = cls()  # subclasses define __call__
        return transform(*args, **kwargs)

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    @classmethod
    def describeArgs(cls) -> list[dict[str, Any]]:  # noqa: N802
        raise NotImplementedError(f"describeArgs method not implemented for Transform {cls.__name__}")

    @classmethod
    def describeReturn(cls) -> dict[str, Any]:  # noqa: N802
        raise NotImplementedError(f"describeReturn method not implemented for Transform {cls.__name__}")

    @classmethod
    def describeTransform(cls) -> str:  # noqa: N802
        raise NotImplementedError(
            f"describeTransform method not implemented for Transform {cls.__name__}"
        )

    @classmethod
    def describeErrors(cls) -> list[dict[str, Any]]:  # noqa: N802
        raise NotImplementedError(f"describeErrors method not implemented for Transform {cls.__name__}")

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {"transform": {"name": cls.name(), "args": cls.describeArgs(),
                              "returns": cls.describeReturn(),
                              "description": cls.describeTransform(),
                              "raises": cls.describeErrors(), "location": "internal"}}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, self.__class__) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(self.__class__)

    def __repr__(self) -> str:
        return f"<Transform: {self.name()}>"
