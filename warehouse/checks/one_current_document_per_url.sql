-- No two current documents share a URL.
SELECT url, count(*) AS documents FROM documents
WHERE gone_run_id IS NULL GROUP BY url HAVING count(*) > 1
