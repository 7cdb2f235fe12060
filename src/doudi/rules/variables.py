"""Named variables: each quantity the policy defines, written once as a vectorized Polars expression.

A variable belongs to an entity (household, member, income item, expense item). Its formula reads the
profile and returns an expression over that entity's frame; it may read columns of a parent entity
(a member reads its household's), which the evaluator gathers in. An aggregate variable's formula is an
expression over its child entity's rows, which the evaluator reduces per parent (sum, any, all, count):
keeping the reduction separate lets the evaluator add each row into its parent's place instead of hashing groups.
Every variable names the POLICY.md rules it implements and the profile parameters whose clauses justify it,
so an explanation can cite them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

from doudi.policy.profile import Profile

Entity = Literal["household", "member", "income", "expense"]
Reduce = Literal["sum", "any", "all", "count"]
Formula = Callable[[Profile], pl.Expr]

# Parents an entity's rows belong to, and the column holding the parent's row number (set by the evaluator's
# caller: `_h` is a household's row, `_m` a member's; integer row numbers make joins plain gathers).
PARENTS: dict[Entity, list[tuple[Entity, str]]] = {
    "household": [],
    "member": [("household", "_h")],
    "income": [("household", "_h"), ("member", "_m")],
    "expense": [("household", "_h"), ("member", "_m")],
}
ROW_KEY: dict[Entity, str] = {"household": "_h", "member": "_m"}


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
    reduce: Reduce | None = None  # how an aggregate reduces its child rows
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
    reduce: Reduce | None = None,
    aggregate_from: Entity | None = None,
    fill: object = None,
    unit: str = "",
    enabled_by: str | None = None,
) -> Callable[[Formula], Formula]:
    """Register a formula as a named variable."""

    def register(formula: Formula) -> Formula:
        if name in REGISTRY:
            raise ValueError(f"variable {name} defined twice")
        if (aggregate_from is None) != (reduce is None):
            raise ValueError(f"variable {name}: an aggregate needs both aggregate_from and reduce")
        REGISTRY[name] = Variable(
            name=name,
            entity=entity,
            label=label,
            policy=policy,
            params=params,
            depends=depends,
            formula=formula,
            aggregate_from=aggregate_from,
            reduce=reduce,
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
