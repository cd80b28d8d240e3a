"""The analysis notebooks, shipped inside the package as ``iso18091lab.notebooks`` (the wheel maps this
repository folder to it; the runner finds them with importlib.resources)."""
