"""Reflex state: a base that knows the session's school, then one substate per feature."""

from state.base import AppState

__all__ = ["AppState"]
