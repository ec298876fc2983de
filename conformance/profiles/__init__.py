"""Target profiles: TOML files describing a server under test (shared by pytest and Locust)."""

from conformance.profiles.launcher import LaunchError
from conformance.profiles.loader import DEFAULT_PROFILE, ProfileError, load_profile
from conformance.profiles.model import Client, Profile, Secret
from conformance.profiles.target import resolve, running_target

__all__ = [
    "DEFAULT_PROFILE", "Client", "LaunchError", "Profile", "ProfileError", "Secret", "load_profile", "resolve",
    "running_target",
]
