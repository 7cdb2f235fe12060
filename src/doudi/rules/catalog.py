"""Importing this module registers every named variable."""

from doudi.rules import (  # noqa: F401
    benefit,
    decision,
    eligibility,
    exit_risk,
    gradual_exit,
    income,
    people,
    review,
    single_person,
)
