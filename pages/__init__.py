"""Pages, one module per area; importing this package registers them all (every module in it)."""

import importlib
import pkgutil

__all__ = [module.name for module in pkgutil.iter_modules(__path__) if module.name != "guard"]

for _name in __all__:
    importlib.import_module(f"{__name__}.{_name}")
