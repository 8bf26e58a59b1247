-- open calls
SELECT programme, next_deadline, days_left, deadline_kind, max_grant_eur, budget_eur, documents, url
FROM open_calls ORDER BY next_deadline NULLS LAST, programme LIMIT 10
