-- 002_lifecycle: documents that come, move and go; honest run counts; the register's Kreis.
--
-- documents: last_run_id now names the last run that *confirmed* the document (fetched it or got
-- 304 Not Modified for it), last_seen_at when; missed counts the complete crawls of its source
-- since then; a document is gone (gone_run_id, gone_at, gone_reason) after an HTTP 404/410 or
-- when missing from its source for warehouse.lifecycle.MISSED_RUNS_GONE complete crawls, and it
-- leaves the open views; it comes back when it is seen again. moved_from lists earlier URLs of a
-- document that moved (same bytes at a new address): it keeps its identity.
ALTER TABLE documents ADD COLUMN last_seen_at TIMESTAMP;
ALTER TABLE documents ADD COLUMN missed INTEGER DEFAULT 0;
ALTER TABLE documents ADD COLUMN gone_run_id VARCHAR;
ALTER TABLE documents ADD COLUMN gone_at TIMESTAMP;
ALTER TABLE documents ADD COLUMN gone_reason VARCHAR;
ALTER TABLE documents ADD COLUMN moved_from VARCHAR[];
UPDATE documents SET last_seen_at = updated_at, missed = 0;

-- fetches.outcome gains 'gone' (HTTP 404/410: not a failure of the run).
-- runs: every event counted once (see runs_overview); publish state of a committed run.
ALTER TABLE runs ADD COLUMN gone INTEGER DEFAULT 0;               -- documents marked gone
ALTER TABLE runs ADD COLUMN moved INTEGER DEFAULT 0;              -- documents that moved (not re-extracted)
ALTER TABLE runs ADD COLUMN published_at TIMESTAMP;               -- when readers could see it
ALTER TABLE runs ADD COLUMN notes VARCHAR[];                      -- what the writer repaired or resumed
UPDATE runs SET published_at = finished_at WHERE finished_at IS NOT NULL;

-- changes: cause is new_version | extractor (same content, new rules) | register (same content,
-- new municipal register only) | gone; the old 'reextracted' is 'extractor'.
UPDATE changes SET cause = 'extractor' WHERE cause = 'reextracted';

-- municipalities: the Kreis (5 digits) of a Gemeinde or Gemeindeverband, and the register's date
ALTER TABLE municipalities ADD COLUMN kreis VARCHAR;
ALTER TABLE municipalities ADD COLUMN gebietsstand DATE;
