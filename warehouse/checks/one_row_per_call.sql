-- open_calls and calls hold one row per call.
SELECT call_id, count(*) FROM calls GROUP BY call_id HAVING count(*) > 1
UNION ALL
SELECT call_id, count(*) FROM open_calls GROUP BY call_id HAVING count(*) > 1
