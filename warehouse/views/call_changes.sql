-- @view: Field-level changes of every run, one row per call and change (the same deadline moved on the page and in its PDF is one row with both URLs), with their cause: new_version (a document changed), gone (a document disappeared), extractor (same content, new extraction rules), register (same content, new municipal register), catalogue (same content, another Förderdatenbank programme catalogue).
-- @column run_id: The run that saw the change.
-- @column detected_at: When (UTC).
-- @column programme: Programme display name.
-- @column call_id: Call key (see calls); NULL for a document naming no programme.
-- @column field: programme | deadline | amount | municipality | document (gone).
-- @column aspect: Deadline kind/subject or amount role/unit the change concerns.
-- @column change: added | removed | moved (deadline) | changed (amount) | gone (document).
-- @column old_value: Value before (ISO date, EUR with 2 decimals, name (AGS), URL of a gone document).
-- @column new_value: Value after.
-- @column cause: new_version | gone | extractor | register | catalogue.
-- @column url: One document showing the change.
-- @column urls: Every document showing it.
-- @column old_snippet: Evidence before (for a gone document: why it counts as gone).
-- @column new_snippet: Evidence after.
-- @column programme_id: Merged programme key.
SELECT ch.run_id, min(ch.detected_at) AS detected_at,
       coalesce(any_value(p.name), any_value(ch.programme_name)) AS programme,
       ch.programme_id AS call_id, ch.field, ch.aspect, ch.change, ch.old_value, ch.new_value,
       ch.cause, min(ch.url) AS url, list(DISTINCT ch.url ORDER BY ch.url) AS urls,
       min(ch.old_snippet) AS old_snippet, min(ch.new_snippet) AS new_snippet, ch.programme_id
FROM changes ch
LEFT JOIN programmes p ON p.programme_id = ch.programme_id
GROUP BY ch.run_id, ch.programme_id, CASE WHEN ch.programme_id IS NULL THEN ch.document_id END,
         ch.field, ch.aspect, ch.change, ch.old_value, ch.new_value, ch.cause
