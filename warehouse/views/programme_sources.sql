-- @view: Which sources and documents mention each merged programme (current extractions).
-- @column programme_id: Merged programme key.
-- @column programme: Programme display name.
-- @column source: Source name.
-- @column documents: Documents of that source naming the programme.
-- @column urls: Their URLs.
-- @column first_loaded: First load of such a document version.
-- @column last_loaded: Latest load.
SELECT c.programme_id, any_value(c.programme) AS programme, c.source,
       count(DISTINCT c.document_id) AS documents, list(DISTINCT c.url ORDER BY c.url) AS urls,
       min(c.loaded_at) AS first_loaded, max(c.loaded_at) AS last_loaded
FROM current_records c
WHERE c.programme_id IS NOT NULL
GROUP BY c.programme_id, c.source
