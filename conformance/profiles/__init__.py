"""Target profiles: TOML files describing a server under test (shared by pytest and Locust)."""

from conformance.profiles.launcher import LaunchError, running_target
from conformance.profiles.loader import DEFAULT_PROFILE, ProfileError, load_profile
from conformance.profiles.model import Client, Profile, Secret

__all__ = [
    "DEFAULT_PROFILE", "Client", "LaunchError", "Profile", "ProfileError", "Secret", "load_profile", "running_target",
]
