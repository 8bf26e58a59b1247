-- @view: One row per run, newest first: status, duration, document counts, crawl figures, errors.
-- @column run_id: Run key (sortable by time).
-- @column flow: Flow that ran.
-- @column status: running | success | partial (some source or document failed, or the run is committed but not yet published) | failed | aborted (writer died or closed early; its load was rolled back).
-- @column started_at: Start (UTC).
-- @column finished_at: End (UTC).
-- @column seconds: Duration in seconds.
-- @column new_documents: Documents seen for the first time.
-- @column new_versions: Known documents with new content.
-- @column reextracted: Known content extracted by a new extractor version.
-- @column unchanged: Documents seen again with content and extractor version already loaded (304s included).
-- @column moved: Documents found at a new URL with the same content (not extracted again).
-- @column gone: Documents marked gone (404/410, or missing from their source).
-- @column failed: Failed fetches and documents (each counted once).
-- @column changes: Changes as changes_since_last_run shows them (one per call and change; new_version and gone only).
-- @column sources: Sources crawled.
-- @column documents_seen: Documents seen by the crawl.
-- @column requests: HTTP requests made.
-- @column not_modified: 304 answers.
-- @column n_errors: Number of error messages.
-- @column errors: Error messages.
-- @column extractor_version: Extractor version of the loaded extractions.
-- @column params: Flow parameters (JSON).
-- @column published_at: When readers could first see the run (NULL: committed, not yet published).
-- @column notes: What the writer repaired or resumed when this run started.
SELECT r.run_id, r.flow, r.status, r.started_at, r.finished_at,
       date_diff('millisecond', r.started_at, r.finished_at) / 1000.0 AS seconds,
       r.new_documents, r.new_versions, r.reextracted, r.unchanged, r.moved, r.gone, r.failed,
       r.changes,
       coalesce(c.sources, 0) AS sources, c.documents_seen, c.requests, c.not_modified,
       len(coalesce(r.errors, []::VARCHAR[])) AS n_errors, r.errors, r.extractor_version,
       r.params, r.published_at, r.notes
FROM runs r
LEFT JOIN (
    SELECT run_id, count(DISTINCT source) AS sources, sum(documents) AS documents_seen,
           sum(requests) AS requests, sum(not_modified) AS not_modified
    FROM crawls GROUP BY run_id
) c USING (run_id)
ORDER BY r.started_at DESC, r.run_id DESC
