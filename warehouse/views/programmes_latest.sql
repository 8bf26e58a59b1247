-- @view: Programmes merged across documents and sources, with their latest figures (from the most recent document naming them) and their next deadline over all documents.
-- @column programme_id: Merged programme key.
-- @column programme: Display name.
-- @column aliases: Every name and alias the programme is known by.
-- @column documents: Current documents naming it.
-- @column sources: Sources naming it.
-- @column latest_url: The most recent document naming it (by publication, else load date).
-- @column latest_as_of: Publication (else load) date of that document.
-- @column budget_eur: Largest budget amount in the latest document's record.
-- @column max_grant_eur: Largest grant amount in the latest document's record.
-- @column latest_deadline: Latest dated deadline in the latest document's record.
-- @column next_deadline: Earliest deadline on or after today over all its documents.
-- @column rolling: TRUE if any of its documents announces a rolling call (laufend).
-- @column municipalities: Distinct municipalities (AGS or name) named with it.
-- @column first_seen_at: When the programme was first loaded.
WITH cr AS (
    SELECT c.*, coalesce(c.published, c.fetched_at::DATE, c.loaded_at::DATE) AS as_of
    FROM current_records c WHERE c.programme_id IS NOT NULL
), latest AS (
    SELECT programme_id, arg_max(record_id, as_of) AS record_id, arg_max(url, as_of) AS latest_url,
           max(as_of) AS latest_as_of, count(DISTINCT document_id) AS documents,
           list(DISTINCT source ORDER BY source) AS sources
    FROM cr GROUP BY programme_id
), fig AS (
    SELECT record_id,
           max(value_eur) FILTER (WHERE role = 'budget') AS budget_eur,
           max(value_eur) FILTER (WHERE role = 'grant') AS max_grant_eur
    FROM amounts GROUP BY record_id
), dl AS (
    SELECT cr.programme_id,
           min(d.date) FILTER (WHERE d.date >= fr_today()) AS next_deadline,
           bool_or(d.kind = 'laufend') AS rolling
    FROM cr JOIN deadlines d ON d.record_id = cr.record_id GROUP BY cr.programme_id
), last_dl AS (
    SELECT record_id, max(date) AS latest_deadline FROM deadlines GROUP BY record_id
), mun AS (
    SELECT cr.programme_id, count(DISTINCT coalesce(m.ags, lower(m.name))) AS municipalities
    FROM cr JOIN municipality_mentions m ON m.record_id = cr.record_id GROUP BY cr.programme_id
), al AS (
    SELECT programme_id, list(DISTINCT alias ORDER BY alias) AS aliases
    FROM programme_aliases GROUP BY programme_id
)
SELECT p.programme_id, p.name AS programme, al.aliases, latest.documents, latest.sources,
       latest.latest_url, latest.latest_as_of, fig.budget_eur, fig.max_grant_eur,
       last_dl.latest_deadline, dl.next_deadline, coalesce(dl.rolling, FALSE) AS rolling,
       coalesce(mun.municipalities, 0) AS municipalities, p.first_seen_at
FROM programmes p
JOIN latest ON latest.programme_id = p.programme_id
LEFT JOIN fig ON fig.record_id = latest.record_id
LEFT JOIN last_dl ON last_dl.record_id = latest.record_id
LEFT JOIN dl ON dl.programme_id = p.programme_id
LEFT JOIN mun ON mun.programme_id = p.programme_id
LEFT JOIN al ON al.programme_id = p.programme_id
ORDER BY p.name
