# 乡信 — everything starts here. Only Python 3.11 and make are needed.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_HOST ?= 127.0.0.1

.PHONY: setup run test lint demo bench pg browsers screenshots clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## make run: migrate the embedded SQLite database under var/ and start the service
run: $(STAMP)
	mkdir -p -m 700 var && chmod 700 var  # var/ holds ID numbers: owner only
	$(BIN)/xiangxin db upgrade
	$(BIN)/xiangxin serve

## make test: lint, type-check and run every test on SQLite and PostgreSQL
test: $(STAMP) pg browsers lint
	$(BIN)/pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## make demo: one complete village cycle in a throw-away database, told in Chinese
demo: $(STAMP)
	$(BIN)/xiangxin demo

## make screenshots: run the browser tests and keep a screenshot of each story's last page
screenshots: $(STAMP) pg browsers
	XIANGXIN_SCREENSHOTS=all $(BIN)/pytest -q -n 2 tests/browser -k sqlite
	@ls -1 var/screenshots/*.png

## make bench: performance figures, one JSON line each
bench: $(STAMP) pg
	$(BIN)/python -m bench

## pg: make sure the machine's PostgreSQL answers (start it if it is down)
pg:
	@if ! pg_isready -q -h $(PG_HOST) -p 5432; then \
		echo "PostgreSQL 未运行，正在启动…"; \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
		for i in $$(seq 1 30); do pg_isready -q -h $(PG_HOST) -p 5432 && break; sleep 1; done; \
	fi
	@pg_isready -h $(PG_HOST) -p 5432

## browsers: Debian's Chromium and CJK fonts for the console's browser tests (tests/browser/)
browsers:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "浏览器测试需要 /usr/bin/chromium：请以 root 运行 make browsers，或执行 sudo apt-get install chromium fonts-noto-cjk" >&2; \
			exit 1; \
		fi; \
		echo "未找到 /usr/bin/chromium，正在安装 chromium 和 fonts-noto-cjk…"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk; \
	fi

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
