"""Expected hits in the demo content, shared by the search tests."""

import pytest

# Articles whose indexed text (title, summary, body, source, topic names) contains 燃气.
GAS = {
    "2026-safety-month-launch",
    "household-gas-leak-response",
    "restaurant-lpg-cylinder-safety",
    "safety-consultation-day-city-square",
    "safety-into-community-gas-check",
    "safety-knowledge-answer-sheet-contest",
}

# Queries with no searchable word at all: they must find nothing, without an error.
PUNCTUATION_ONLY_QUERIES = [
    pytest.param('"""', id="double-quotes"),
    pytest.param("!!!", id="exclamation-marks"),
    pytest.param("'", id="apostrophe"),
    pytest.param("\\", id="backslash"),
    pytest.param("、。“”", id="chinese-punctuation"),
]
