"""Service functions: the one place business logic lives; UI states and the REST API call them."""
