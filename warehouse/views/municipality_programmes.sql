-- @view: Municipalities with the programmes that name them (current extractions), one row per municipality and programme.
-- @column ags: Amtlicher Gemeindeschlüssel (8 digits Gemeinde, 5 digits Kreis); NULL when unresolved.
-- @column municipality: Name as extracted (bare name).
-- @column type: Type word as written (Stadt, Landkreis, ...).
-- @column register_name: Name in the municipal register, when loaded.
-- @column land: Land from the register, when loaded (filled by `foerderradar gazetteer load`).
-- @column kreis: Kreis key (5 digits) from the register.
-- @column kreis_name: Name of that Kreis.
-- @column population: Population from the register (Gemeinden).
-- @column programme: Programme display name.
-- @column programme_id: Merged programme key.
-- @column mentions: Mentions of the municipality with this programme.
-- @column documents: Documents with such mentions.
-- @column urls: Their URLs.
-- @column next_deadline: Earliest deadline on or after today of those records.
-- @column evidence: One sentence naming the municipality.
WITH mm AS (
    SELECT m.*, c.programme, c.url FROM municipality_mentions m
    JOIN current_records c ON c.record_id = m.record_id
), nd AS (
    SELECT record_id, min(date) AS next_deadline FROM deadlines
    WHERE date >= fr_today() GROUP BY record_id
)
SELECT mm.ags, min(mm.name) AS municipality, min(mm.type) AS type, reg.name AS register_name,
       reg.land, reg.kreis, kr.name AS kreis_name, reg.population, min(mm.programme) AS programme, mm.programme_id, count(*) AS mentions,
       count(DISTINCT mm.document_id) AS documents, list(DISTINCT mm.url ORDER BY mm.url) AS urls,
       min(nd.next_deadline) AS next_deadline, min(mm.snippet) AS evidence
FROM mm
LEFT JOIN municipalities reg ON reg.ags = mm.ags
LEFT JOIN municipalities kr ON kr.ags = reg.kreis
LEFT JOIN nd ON nd.record_id = mm.record_id
GROUP BY mm.ags, CASE WHEN mm.ags IS NULL THEN lower(mm.name) END, mm.programme_id,
         reg.name, reg.land, reg.kreis, kr.name, reg.population
ORDER BY municipality, programme
