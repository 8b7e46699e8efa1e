"""Integrity checks of the contest benchmark: after a round, what the server acknowledged is held
against what the database stores.

Sheets acknowledged as submitted (a submit answered by a redirect to the result page) = sheets
stored as submitted, no participant has two sheets, nobody is stored twice, every acknowledged
autosave is what the sheet question holds, every acknowledged ceiling insert is a row, and every
request sent again (after a killed worker, or on purpose) was answered as the first time.

The database is read with SQL on the tables (their names are the schema, not Python internals),
so the checks hold whatever module the models live in.
"""

from collections import Counter

import psycopg

from bench.harness import conninfo


def integrity(database_url, tag, acknowledged):
    """The checks for the participants of round ``tag`` (their class_name) against ``acknowledged``
    (bench.contest_flow.run_round's); ``report["ok"]`` is whether all of them hold."""
    with psycopg.connect(conninfo(database_url)) as conn:
        participants = conn.execute(
            "SELECT token::text, name FROM quizzes_participant WHERE class_name = %s", [tag]
        ).fetchall()
        sheets = conn.execute(
            "SELECT s.public_id::text, p.token::text, s.status, s.score FROM quizzes_answersheet s "
            "JOIN quizzes_participant p ON p.id = s.participant_id WHERE p.class_name = %s",
            [tag],
        ).fetchall()
        selected = conn.execute(
            "SELECT s.public_id::text, q.position, q.selected FROM quizzes_sheetquestion q "
            "JOIN quizzes_answersheet s ON s.id = q.sheet_id JOIN quizzes_participant p ON p.id = s.participant_id "
            "WHERE p.class_name = %s",
            [tag],
        ).fetchall()
        duplicate_rows = conn.execute(
            "SELECT count(*) FROM (SELECT q.sheet_id, q.position FROM quizzes_sheetquestion q "
            "JOIN quizzes_answersheet s ON s.id = q.sheet_id JOIN quizzes_participant p ON p.id = s.participant_id "
            "WHERE p.class_name = %s GROUP BY q.sheet_id, q.position HAVING count(*) > 1) d",
            [tag],
        ).fetchone()[0]
        ceiling_rows = conn.execute("SELECT count(*) FROM bench_ceiling WHERE payload->>'run' = %s", [tag]).fetchone()[
            0
        ]

    stored_tokens = Counter(token for token, _name in participants)
    sheets_per_participant = Counter(token for _sheet, token, _status, _score in sheets)
    status = {sheet: (state, score) for sheet, _token, state, score in sheets}
    stored_submitted = {sheet for sheet, (state, _score) in status.items() if state == "submitted"}
    answers = {(sheet, position): value for sheet, position, value in selected}
    ack = acknowledged
    lost_saves = [save for save in ack["saves"] if answers.get((save[0], save[1])) != save[2]]
    report = {
        "participants_acknowledged": len(ack["participants"]),
        "participants_stored": len(participants),
        "participants_acknowledged_missing": len(set(ack["participants"]) - set(stored_tokens)),
        "duplicate_participants": sum(1 for n in Counter(name for _t, name in participants).values() if n > 1),
        "sheets_started_acknowledged": len(ack["sheets"]),
        "sheets_stored": len(sheets),
        "participants_with_two_sheets": sum(1 for n in sheets_per_participant.values() if n > 1),
        "sheets_acknowledged_submitted": len(ack["submitted"]),
        "sheets_stored_submitted": len(stored_submitted),
        "acknowledged_not_stored_submitted": len(ack["submitted"] - stored_submitted),
        "stored_submitted_not_acknowledged": len(stored_submitted - ack["submitted"]),
        "submitted_without_score": sum(1 for s in ack["submitted"] if status.get(s, (None, None))[1] is None),
        "answer_saves_acknowledged": len(ack["saves"]),
        "answer_saves_not_stored": len(lost_saves),
        "duplicate_sheet_questions": duplicate_rows,
        # A save or submit sent again (bench.contest_flow: after a killed worker, or on purpose)
        # answered otherwise than the first time.
        "retry_mismatches": len(ack.get("retry_mismatches", [])),
        "ceiling_acknowledged": ack["ceiling"],
        "ceiling_rows_stored": ceiling_rows,
    }
    report["duplicates"] = (
        report["duplicate_participants"] + report["participants_with_two_sheets"] + report["duplicate_sheet_questions"]
    )
    report["ok"] = (
        report["participants_acknowledged_missing"] == 0
        and report["sheets_acknowledged_submitted"] == report["sheets_stored_submitted"]
        and report["acknowledged_not_stored_submitted"] == 0
        and report["submitted_without_score"] == 0
        and report["answer_saves_not_stored"] == 0
        and report["duplicates"] == 0
        and report["ceiling_rows_stored"] == report["ceiling_acknowledged"]
        and report["retry_mismatches"] == 0
    )
    return report
