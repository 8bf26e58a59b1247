-- @view: Field-level changes seen by the most recent finished run (deadline moved, budget changed, programme gone, new deadline, municipality added/removed).
-- @column run_id: The run that saw the change.
-- @column detected_at: When (UTC).
-- @column programme: Programme display name.
-- @column programme_id: Merged programme key.
-- @column field: programme | deadline | amount | municipality.
-- @column aspect: Deadline kind/subject or amount role/unit the change concerns.
-- @column change: added | removed | moved (deadline) | changed (amount).
-- @column old_value: Value in the previous version (ISO date, EUR with 2 decimals, name (AGS)).
-- @column new_value: Value in the new version.
-- @column cause: new_version (the document changed) or reextracted (same content, new extractor).
-- @column url: Document URL.
-- @column old_snippet: Evidence in the previous version.
-- @column new_snippet: Evidence in the new version.
-- @column document_id: Document key.
-- @column old_version_id: Previous document version.
-- @column new_version_id: New document version.
WITH last_run AS (
    SELECT run_id FROM runs WHERE finished_at IS NOT NULL AND status <> 'aborted'
    ORDER BY started_at DESC, run_id DESC LIMIT 1
)
SELECT ch.run_id, ch.detected_at, coalesce(p.name, ch.programme_name) AS programme,
       ch.programme_id, ch.field, ch.aspect, ch.change, ch.old_value, ch.new_value, ch.cause,
       ch.url, ch.old_snippet, ch.new_snippet, ch.document_id, ch.old_version_id,
       ch.new_version_id
FROM changes ch
JOIN last_run USING (run_id)
LEFT JOIN programmes p ON p.programme_id = ch.programme_id
ORDER BY ch.url, ch.field, ch.aspect
