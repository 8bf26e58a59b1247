-- The latest runs, newest first (foerderradar runs): every count as stored in runs.
SELECT run_id, flow, status, strftime(started_at, '%Y-%m-%d %H:%M') AS started_utc,
       round(epoch(finished_at - started_at), 1) AS seconds,
       new_documents AS new, new_versions AS changed, reextracted, unchanged, moved, gone, failed,
       changes, published_at IS NOT NULL AS published
FROM runs ORDER BY started_at DESC, run_id DESC LIMIT $n
