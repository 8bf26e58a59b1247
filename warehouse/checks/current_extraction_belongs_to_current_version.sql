-- A document's current extraction is an extraction of its current version.
SELECT d.document_id, d.url FROM documents d
JOIN extractions e ON e.extraction_id = d.current_extraction_id
WHERE e.version_id <> d.current_version_id
