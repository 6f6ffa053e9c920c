"""OneClass: a multi-tenant school platform for Zimbabwe's schools."""
