-- Every open call has a deadline on or after today, or is rolling.
SELECT call_id, programme FROM open_calls
WHERE NOT (next_deadline >= fr_today() OR (rolling AND deadline_kind = 'laufend'))
