-- @view: What changed in the most recent finished run, one row per call and change (deadline moved, budget changed, programme added or removed, document gone). Changes that only a new extractor version, municipal register or programme catalogue caused are left out (they are in call_changes with cause extractor, register or catalogue).
-- @column run_id: The run that saw the change.
-- @column detected_at: When (UTC).
-- @column programme: Programme display name.
-- @column call_id: Call key (see calls).
-- @column field: programme | deadline | amount | municipality | document.
-- @column aspect: Deadline kind/subject or amount role/unit the change concerns.
-- @column change: added | removed | moved (deadline) | changed (amount) | gone (document).
-- @column old_value: Value in the previous version (ISO date, EUR with 2 decimals, name (AGS)).
-- @column new_value: Value in the new version.
-- @column cause: new_version (a document changed) or gone (a document disappeared).
-- @column url: One document showing the change.
-- @column urls: Every document showing it.
-- @column old_snippet: Evidence in the previous version.
-- @column new_snippet: Evidence in the new version.
-- @column programme_id: Merged programme key.
WITH last_run AS (
    SELECT run_id FROM runs WHERE finished_at IS NOT NULL AND status <> 'aborted'
    ORDER BY started_at DESC, run_id DESC LIMIT 1
)
SELECT c.run_id, c.detected_at, c.programme, c.call_id, c.field, c.aspect, c.change,
       c.old_value, c.new_value, c.cause, c.url, c.urls, c.old_snippet, c.new_snippet,
       c.programme_id
FROM call_changes c
JOIN last_run USING (run_id)
WHERE c.cause IN ('new_version', 'gone')
ORDER BY c.programme, c.field, c.aspect
