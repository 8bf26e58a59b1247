-- what changed
SELECT programme, field, aspect, change, old_value, new_value, url
FROM changes_since_last_run ORDER BY programme, field LIMIT 10
