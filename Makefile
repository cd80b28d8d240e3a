# iso18091lab: `make demo` sets up and runs the main job on the bundled sample; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test sample lab clean

setup: $(STAMP)

# PYTHONWARNINGS: setuptools warns on every editable install that a folder named like the package could shadow it.
$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt setuptools wheel
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[test]"
	touch $(STAMP)

demo: setup
	$(BIN)/iso18091lab run --all --raw data/raw --processed data/processed --reports reports
	@echo "Open reports/index.html in a browser / Mở reports/index.html bằng trình duyệt"

# --no-loadscope-reorder: files go to the workers in the order tests/conftest.py gives (the longest first)
test: setup
	bash scripts/install-test-tools.sh
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --no-loadscope-reorder

# Open the notebooks in JupyterLab for one province: make lab PROVINCE="Hải Phòng"
PROVINCE ?= Hải Phòng
lab: setup
	$(BIN)/iso18091lab lab --province "$(PROVINCE)" --processed data/processed --work lab

# Regenerate the bundled synthetic sample (only when the generator changes).
sample: setup
	rm -rf data/raw/SYNTHETIC_* data/raw/_synthetic
	$(BIN)/iso18091lab synth --out data/raw --seed 2024

clean:
	rm -rf data/processed/*.parquet data/processed/*.csv data/processed/*.json reports/*/ reports/index.html reports/dataset.json
