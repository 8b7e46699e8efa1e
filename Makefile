# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_ADMIN_PASSWORD ?= anquan-2026
export DEMO_ADMIN_PASSWORD

.PHONY: run test install lint bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo_content
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  网站：  http://127.0.0.1:$(PORT)/"
	@echo "  后台：  http://127.0.0.1:$(PORT)/admin/   账号 admin，密码 $(DEMO_ADMIN_PASSWORD)"
	@echo "         （编辑 bianji、审核 shenhe 使用同一初始密码，可体验两级审核）"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/http_bench.py

clean:
	rm -rf $(VENV) db.sqlite3* db.test.sqlite3* static_collected media
