-- @view: One row per call: every current document of the same programme (announcement page, its guideline PDF, a Förderdatenbank entry, other sources) merged, with all their URLs. Deadlines come from the call's most recently loaded document that states any (an extension on the page wins over the older PDF); a rolling call (laufend) is open without a date.
-- @column call_id: Call key (the merged programme's key; a new round with its own name or number is its own call).
-- @column programme: Programme display name.
-- @column next_deadline: Earliest deadline on or after today (fr_today()); NULL for a rolling call without one.
-- @column deadline_time: Clock time of that deadline, where given ("12:00").
-- @column deadline_kind: XFLB kind of that deadline (fristdatum, fristJaehrlich, stichtage, ...); laufend for a rolling call without a dated deadline.
-- @column subject: What is due (antrag, skizze, interessenbekundung, ...).
-- @column days_left: Days from today to next_deadline.
-- @column open_deadlines: Dated deadlines on or after today.
-- @column rolling: TRUE when the call is open until further notice (laufend, bis zur Ausschöpfung der Mittel).
-- @column is_open: TRUE when a deadline lies on or after today, or the call is rolling.
-- @column last_deadline: Latest dated deadline (also a past one).
-- @column budget_eur: Largest amount with role budget over the call's documents.
-- @column max_grant_eur: Largest amount with role grant over the call's documents.
-- @column url: The call's main document: its announcement page (HTML) where there is one.
-- @column urls: Every current document of the call.
-- @column documents: Number of those documents.
-- @column sources: Sources announcing the call.
-- @column title: Title of the main document.
-- @column published: Earliest publication date of its documents.
-- @column evidence: Sentence around the next deadline (or the rolling statement).
-- @column deadline_url: The document that states the deadline.
-- @column programme_id: Merged programme key (= call_id).
-- @column land: Land of the call: the one most of its municipalities' keys lie in (register keys), else the one its source publishes for (a source's `land`, or a Förderdatenbank Fördergebiet naming one Land), else the one its text names as a state ("Land Brandenburg", "Freistaat Sachsen"; not for an FDB entry whose Fördergebiet is bundesweit); NULL for federal, EU or unknown.
-- @column land_code: 2-digit key of that Land (the first digits of its AGS).
-- @column land_from: Where land comes from: municipalities, source or text.
-- @column applicants: Who may apply, as applicant types (kommune, landkreis, verein, unternehmen, kmu, hochschule, ...: extractors/patterns/applicant_types.jsonl), from sentences like "Antragsberechtigt sind ..." and the Förderdatenbank's Förderberechtigte, merged over the call's documents.
-- @column foerderart: Förderdatenbank facet Förderart (Zuschuss, Darlehen, ...), merged over the call's documents; empty without an FDB entry.
-- @column foerderbereich: Förderdatenbank facet Förderbereich (topics).
-- @column foerdergebiet: Förderdatenbank facet Fördergebiet (Bund, a Land, ...).
-- @column foerderberechtigte: Förderdatenbank facet Förderberechtigte, as the database labels it (see applicants for the vocabulary).
WITH cr AS (
    SELECT * FROM current_records WHERE programme_id IS NOT NULL
), docs AS (
    SELECT programme_id, any_value(programme) AS programme,
           list(DISTINCT url ORDER BY url) AS urls, count(DISTINCT document_id) AS documents,
           list(DISTINCT source ORDER BY source) AS sources, min(published) AS published,
           arg_min(url, (coalesce(kind, '') = 'pdf', is_main IS NOT TRUE, url)) AS url,
           arg_min(title, (coalesce(kind, '') = 'pdf', is_main IS NOT TRUE, url)) AS title
    FROM cr GROUP BY programme_id
), dl AS (
    SELECT cr.programme_id, cr.document_id, cr.loaded_at, cr.url, d.date, d.kind, d.subject,
           d.time, d.snippet
    FROM cr JOIN deadlines d ON d.record_id = cr.record_id
), stating AS (     -- per call, the document loaded last among those stating deadlines
    SELECT programme_id, arg_max(document_id, (loaded_at, document_id)) AS document_id
    FROM dl GROUP BY programme_id
), cdl AS (
    SELECT dl.* FROM dl JOIN stating USING (programme_id, document_id)
), nd AS (
    SELECT programme_id,
           min(date) FILTER (WHERE date >= fr_today()) AS next_deadline,
           count(*) FILTER (WHERE date >= fr_today()) AS open_deadlines,
           max(date) AS last_deadline,
           coalesce(bool_or(kind = 'laufend'), FALSE) AS rolling
    FROM cdl GROUP BY programme_id
), nd_detail AS (   -- the next deadline's (or, without one, the rolling statement's) details
    SELECT cdl.programme_id,
           arg_min(cdl.time, (cdl.time IS NULL, cdl.snippet)) AS deadline_time,
           arg_min(cdl.kind, cdl.snippet) AS deadline_kind,
           arg_min(cdl.subject, (cdl.subject IS NULL, cdl.snippet)) AS subject,
           min(cdl.snippet) AS evidence, min(cdl.url) AS deadline_url
    FROM cdl JOIN nd USING (programme_id)
    WHERE cdl.date = nd.next_deadline OR (nd.next_deadline IS NULL AND cdl.kind = 'laufend')
    GROUP BY cdl.programme_id
), amt AS (
    SELECT cr.programme_id,
           max(a.value_eur) FILTER (WHERE a.role = 'budget') AS budget_eur,
           max(a.value_eur) FILTER (WHERE a.role = 'grant') AS max_grant_eur
    FROM cr JOIN amounts a ON a.record_id = cr.record_id GROUP BY cr.programme_id
), ver AS (     -- each current document of a call: its structured fields and stated Land
    SELECT c.programme_id, c.extraction_id, v.fields, e.land, e.land_from
    FROM (SELECT DISTINCT programme_id, extraction_id FROM cr) c
    JOIN extractions e ON e.extraction_id = c.extraction_id
    JOIN document_versions v ON v.version_id = e.version_id
), facet AS (
    SELECT programme_id,
           list_sort(list_distinct(flatten(list(coalesce(
               CAST(json_extract(fields, '$."Förderart"') AS VARCHAR[]), []))))) AS foerderart,
           list_sort(list_distinct(flatten(list(coalesce(
               CAST(json_extract(fields, '$."Förderbereich"') AS VARCHAR[]), []))))) AS foerderbereich,
           list_sort(list_distinct(flatten(list(coalesce(
               CAST(json_extract(fields, '$."Fördergebiet"') AS VARCHAR[]), []))))) AS foerdergebiet,
           list_sort(list_distinct(flatten(list(coalesce(
               CAST(json_extract(fields, '$."Förderberechtigte"') AS VARCHAR[]), []))))) AS foerderberechtigte
    FROM ver GROUP BY programme_id
), app AS (
    SELECT ver.programme_id, list_sort(list_distinct(list(a.type))) AS applicants
    FROM ver JOIN applicants a ON a.extraction_id = ver.extraction_id GROUP BY ver.programme_id
), land_votes AS (  -- candidate Lands of a call with their weight, by origin (1 best)
    SELECT cr.programme_id, left(m.ags, 2) AS land, 1 AS rank, count(*) AS n
    FROM cr JOIN municipality_mentions m ON m.record_id = cr.record_id
    WHERE m.ags IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT programme_id, land, 2, count(*) FROM ver WHERE land_from = 'source' GROUP BY ALL
    UNION ALL
    SELECT g.programme_id, l.code, 2, 1
    FROM (SELECT programme_id, unnest(foerdergebiet) AS gebiet FROM facet
          WHERE len(foerdergebiet) = 1) g
    JOIN laender l ON l.name = g.gebiet
    UNION ALL
    SELECT programme_id, land, 3, count(*) FROM ver     -- not for a nationwide FDB entry
    WHERE land_from = 'text' AND programme_id NOT IN
          (SELECT programme_id FROM facet WHERE list_contains(foerdergebiet, 'bundesweit'))
    GROUP BY ALL
), lnd AS (
    SELECT programme_id, arg_min(land, (rank, -n, land)) AS land_code,
           arg_min(rank, (rank, -n, land)) AS rank
    FROM land_votes GROUP BY programme_id
)
SELECT docs.programme_id AS call_id, docs.programme, nd.next_deadline, x.deadline_time,
       x.deadline_kind, x.subject, (nd.next_deadline - fr_today())::INTEGER AS days_left,
       coalesce(nd.open_deadlines, 0) AS open_deadlines, coalesce(nd.rolling, FALSE) AS rolling,
       (nd.next_deadline IS NOT NULL OR coalesce(nd.rolling, FALSE)) AS is_open,
       nd.last_deadline, amt.budget_eur, amt.max_grant_eur, docs.url, docs.urls, docs.documents,
       docs.sources, docs.title, docs.published, x.evidence, x.deadline_url, docs.programme_id,
       laender.name AS land, lnd.land_code,
       CASE lnd.rank WHEN 1 THEN 'municipalities' WHEN 2 THEN 'source' WHEN 3 THEN 'text' END AS land_from,
       coalesce(app.applicants, []) AS applicants, facet.foerderart, facet.foerderbereich,
       facet.foerdergebiet, facet.foerderberechtigte
FROM docs
LEFT JOIN nd USING (programme_id)
LEFT JOIN nd_detail x USING (programme_id)
LEFT JOIN amt USING (programme_id)
LEFT JOIN facet USING (programme_id)
LEFT JOIN app USING (programme_id)
LEFT JOIN lnd USING (programme_id)
LEFT JOIN laender ON laender.code = lnd.land_code
ORDER BY nd.next_deadline NULLS LAST, docs.programme
