"""安全知识答卷演示题库（自写题目，力求准确）。

The questions themselves are in ``questions.json`` next to this module; this reads them and gives back
the Python shape ``quizzes.demo.loader`` expects: each choice as a ``(text, correct)`` tuple."""

import json
from pathlib import Path

_DATA = json.loads(Path(__file__).with_name("questions.json").read_text(encoding="utf-8"))

QUESTIONS = [
    {**question, "choices": [(text, correct) for text, correct in question["choices"]]}
    for question in _DATA["questions"]
]
