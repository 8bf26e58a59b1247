-- @view: One normalised funding record per programme per document, from each current document's current extraction (latest content version, latest extractor version); documents marked gone are left out.
-- @column record_id: Record key (extraction_id + programme ordinal); join amounts/deadlines/dates/municipality_mentions on it.
-- @column programme_id: Merged programme (programmes table); NULL when the document names no programme and has no title.
-- @column programme: Display name of the merged programme.
-- @column name_in_document: The programme name as this document writes it.
-- @column is_main: TRUE for the document's main programme (most mentioned, first on ties).
-- @column document_id: Document key (hash of its URL).
-- @column url: URL of the document (or file path when loaded without crawl).
-- @column source: Source name (crawler source or host).
-- @column title: Title of the current document version.
-- @column kind: Kind of the document (html, pdf, xml, txt).
-- @column published: Publication date of the document, where known.
-- @column version: Content version number of the document (1 = first seen).
-- @column fetched_at: When the current version was fetched (UTC).
-- @column loaded_at: When the current version was loaded (UTC).
-- @column n_amounts: Amounts attached to this record.
-- @column n_deadlines: Deadlines attached to this record.
-- @column n_dates: Other dates attached to this record.
-- @column n_municipalities: Municipality mentions attached to this record.
-- @column extraction_id: Extraction that produced the record (document version + extractor version).
-- @column extractor_version: Extractor version that produced it.
-- @column run_id: Run that loaded it.
SELECT r.record_id, r.programme_id, coalesce(p.name, r.programme_name) AS programme,
       r.programme_name AS name_in_document, r.is_main, d.document_id, d.url, d.source,
       v.title, v.kind, v.published, v.version, v.fetched_at, v.loaded_at,
       r.n_amounts, r.n_deadlines, r.n_dates, r.n_municipalities,
       r.extraction_id, r.extractor_version, r.run_id
FROM documents d
JOIN records r ON r.extraction_id = d.current_extraction_id
JOIN document_versions v ON v.version_id = d.current_version_id
LEFT JOIN programmes p ON p.programme_id = r.programme_id
WHERE d.gone_run_id IS NULL
