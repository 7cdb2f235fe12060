"""Named variables: each quantity the policy defines, written once as a vectorized Polars expression.

A variable belongs to an entity (household, member, income item, expense item). Its formula reads the
profile and returns an expression over that entity's frame; it may read columns of a parent entity
(a member reads its household's), which the evaluator joins in. An aggregate variable sums, counts or
tests its child entity's rows per parent. Every variable names the POLICY.md rules it implements and the
profile parameters whose clauses justify it, so an explanation can cite them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from doudi.policy.profile import Profile

Entity = Literal["household", "member", "income", "expense"]
Formula = Callable[[Profile], pl.Expr]

# Parents an entity's rows belong to, and the keys that link them.
PARENTS: dict[Entity, list[tuple[Entity, list[str]]]] = {
    "household": [],
    "member": [("household", ["household_id"])],
    "income": [("member", ["household_id", "id_number"]), ("household", ["household_id"])],
    "expense": [("member", ["household_id", "id_number"]), ("household", ["household_id"])],
}


@dataclass(frozen=True)
class Variable:
    name: str
    entity: Entity
    label: str  # Chinese, as shown in explanations
    policy: tuple[str, ...]  # POLICY.md ids
    params: tuple[str, ...]  # profile parameter paths whose clauses apply, e.g. "gradual_exit.months"
    depends: tuple[str, ...]
    formula: Formula
    aggregate_from: Entity | None = None  # set for variables computed over a child entity's rows
    fill: object = None  # value for parents without child rows (aggregates)
    unit: str = ""  # fen, fen_e4, months, persons, bool, date …
    enabled_by: str | None = None  # a boolean profile parameter; the step is not explained when it is off
    tags: frozenset[str] = field(default_factory=frozenset)


REGISTRY: dict[str, Variable] = {}


def variable(
    name: str,
    entity: Entity,
    label: str,
    *,
    policy: tuple[str, ...] = (),
    params: tuple[str, ...] = (),
    depends: tuple[str, ...] = (),
    aggregate_from: Entity | None = None,
    fill: object = None,
    unit: str = "",
    enabled_by: str | None = None,
) -> Callable[[Formula], Formula]:
    """Register a formula as a named variable."""

    def register(formula: Formula) -> Formula:
        if name in REGISTRY:
            raise ValueError(f"variable {name} defined twice")
        REGISTRY[name] = Variable(
            name=name,
            entity=entity,
            label=label,
            policy=policy,
            params=params,
            depends=depends,
            formula=formula,
            aggregate_from=aggregate_from,
            fill=fill,
            unit=unit,
            enabled_by=enabled_by,
        )
        return formula

    return register


def param_value(profile: Profile, path: str) -> object:
    """The value of a dotted profile parameter path such as 'gradual_exit.months'."""
    node: object = profile
    for part in path.split("."):
        node = getattr(node, part)
    return node.value  # type: ignore[attr-defined]


def param_clause(profile: Profile, path: str) -> str:
    node: object = profile
    for part in path.split("."):
        node = getattr(node, part)
    return str(node.clause)  # type: ignore[attr-defined]
