-- upcoming deadlines
SELECT date, days_left, kind, subject, programme, url
FROM upcoming_deadlines ORDER BY date, programme LIMIT 10
