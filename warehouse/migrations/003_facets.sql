-- 003_facets: who may apply, and the Land a document states.
--
-- applicants: one row per applicant type a document names: origin text (a sentence saying who may
-- apply, with its span and snippet; extractors/fields/applicants.py) or fdb (the Förderdatenbank's
-- Förderberechtigte field, mapped onto the same vocabulary; no span).
-- extractions.land / land_from: the Land (2-digit code) the document's source is about (land_from
-- 'source', the source class's `land`), else the Land its text names as a state ('text': "Land
-- Brandenburg", "Freistaat Sachsen"); the calls view prefers its municipalities' keys.
-- laender: the 16 Länder, code and name (for calls.land without a loaded register).
CREATE TABLE applicants (
    applicant_id      VARCHAR NOT NULL,      -- extraction_id + ordinal
    extraction_id     VARCHAR NOT NULL,
    version_id        VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    type              VARCHAR NOT NULL,      -- extractors/patterns/applicant_types.jsonl
    origin            VARCHAR NOT NULL,      -- text | fdb
    span_text         VARCHAR,
    span_start        INTEGER,
    span_end          INTEGER,
    snippet           VARCHAR,
    extractor_version VARCHAR,
    run_id            VARCHAR NOT NULL
);

ALTER TABLE extractions ADD COLUMN land VARCHAR;
ALTER TABLE extractions ADD COLUMN land_from VARCHAR;

CREATE TABLE laender (
    code  VARCHAR NOT NULL,
    name  VARCHAR NOT NULL
);
INSERT INTO laender VALUES
    ('01', 'Schleswig-Holstein'), ('02', 'Hamburg'), ('03', 'Niedersachsen'), ('04', 'Bremen'),
    ('05', 'Nordrhein-Westfalen'), ('06', 'Hessen'), ('07', 'Rheinland-Pfalz'),
    ('08', 'Baden-Württemberg'), ('09', 'Bayern'), ('10', 'Saarland'), ('11', 'Berlin'),
    ('12', 'Brandenburg'), ('13', 'Mecklenburg-Vorpommern'), ('14', 'Sachsen'),
    ('15', 'Sachsen-Anhalt'), ('16', 'Thüringen');
