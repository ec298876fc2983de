"""Checks: small named functions over Exchanges that raise ConformanceFailure. They never do I/O."""

from conformance.checks import resources, token_claims, token_endpoint
from conformance.checks.failures import ConformanceFailure, VacuousNegative

__all__ = ["ConformanceFailure", "VacuousNegative", "resources", "token_claims", "token_endpoint"]
