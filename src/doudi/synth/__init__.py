"""Realistic synthetic counties for the demo, tests and benchmarks (no real person's data)."""

from doudi.synth.county import ENROLLMENTS, SyntheticCounty, generate_county
from doudi.synth.places import COUNTIES
from doudi.synth.rosters import RosterErrorRates

__all__ = ["COUNTIES", "ENROLLMENTS", "RosterErrorRates", "SyntheticCounty", "generate_county"]
