-- 001_core: the tables of the foerderradar warehouse.
--
-- Layers: runs / sources / crawls / fetches (what the nightly flow did), documents /
-- document_versions / extractions (what was read, every content version kept), programmes /
-- programme_aliases (programmes merged across documents and sources), records (one normalised
-- funding record per programme per extraction) and the extracted values attached to them
-- (programme_mentions, amounts, deadlines, dates, municipality_mentions), changes (field-level
-- history between two versions of a document) and the municipal register (municipalities).
--
-- Provenance: every extracted value keeps extraction_id (-> document version + extractor
-- version), version_id, document_id, run_id, extractor_version, the character span
-- (span_start/span_end into document_versions.text), the matched text and a snippet (the
-- sentence around the span, at most ~200 characters).
--
-- Keys are deterministic strings (hashes of url / sha256 / extractor version) so that loading
-- the same input twice produces the same ids; uniqueness is enforced by the loader (anti-joins),
-- not by indexes, which keeps bulk Arrow inserts fast.
-- Never edit this file once applied: add 002_*.sql instead (the runner refuses modified ones).

CREATE TABLE runs (
    run_id            VARCHAR NOT NULL,      -- sortable: 20250301T020000Z-1a2b
    flow              VARCHAR NOT NULL,      -- flow name that started the run (ingest, reextract, ...)
    params            JSON,                  -- flow parameters
    started_at        TIMESTAMP NOT NULL,    -- UTC
    finished_at       TIMESTAMP,             -- UTC; NULL while running
    status            VARCHAR NOT NULL,      -- running | success | partial | failed | aborted
    errors            VARCHAR[],             -- error messages (per source / per document)
    extractor_version VARCHAR,               -- extractor version of the loaded extractions (last seen)
    new_documents     INTEGER DEFAULT 0,     -- documents seen for the first time
    new_versions      INTEGER DEFAULT 0,     -- known documents with new content
    reextracted       INTEGER DEFAULT 0,     -- known content extracted by a new extractor version
    unchanged         INTEGER DEFAULT 0,     -- items already loaded (same url, sha256, extractor)
    failed            INTEGER DEFAULT 0,     -- documents / fetches that failed
    changes           INTEGER DEFAULT 0      -- rows written to changes by this run
);

CREATE TABLE sources (
    source         VARCHAR NOT NULL,         -- source name (extractors.sources registry) or host
    first_run_id   VARCHAR,
    last_run_id    VARCHAR,
    first_seen_at  TIMESTAMP,
    last_seen_at   TIMESTAMP
);

CREATE TABLE crawls (
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    documents     INTEGER,                   -- documents seen this run (CrawlReport.records)
    new           INTEGER,                   -- fetched and new to the raw store
    unchanged     INTEGER,
    failures      INTEGER,
    requests      INTEGER,                   -- HTTP requests made
    not_modified  INTEGER,                   -- 304 answers
    recorded_at   TIMESTAMP
);

CREATE TABLE fetches (
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    final_url     VARCHAR,                   -- after redirects
    status        INTEGER,                   -- HTTP status (NULL for failures without answer)
    outcome       VARCHAR NOT NULL,          -- fetched | failed
    reason        VARCHAR,                   -- failure reason
    fetched_at    TIMESTAMP,
    sha256        VARCHAR,
    content_type  VARCHAR,
    size          BIGINT,
    path          VARCHAR                    -- raw store path, relative to the raw root
);

CREATE TABLE documents (
    document_id            VARCHAR NOT NULL, -- hash of url
    url                    VARCHAR NOT NULL, -- RawRecord.url, else Document.source
    source                 VARCHAR,          -- source name
    first_run_id           VARCHAR,
    first_seen_at          TIMESTAMP,
    current_version_id     VARCHAR,          -- latest content version
    current_extraction_id  VARCHAR,          -- latest extraction of the latest version
    versions               INTEGER,          -- number of content versions seen
    last_run_id            VARCHAR,
    updated_at             TIMESTAMP
);

CREATE TABLE document_versions (
    version_id      VARCHAR NOT NULL,        -- hash of url + sha256 + version number
    document_id     VARCHAR NOT NULL,
    version         INTEGER NOT NULL,        -- 1, 2, ... per document
    url             VARCHAR NOT NULL,
    final_url       VARCHAR,
    sha256          VARCHAR NOT NULL,        -- of the raw bytes (or of the text without raw)
    kind            VARCHAR,                 -- txt | html | pdf | xml
    content_type    VARCHAR,
    title           VARCHAR,
    published       DATE,
    fetched_at      TIMESTAMP,               -- NULL when loaded without a raw record
    raw_path        VARCHAR,                 -- raw store path
    text            VARCHAR,                 -- Document.text: spans point into it
    text_length     INTEGER,
    sections        JSON,                    -- [{title, start, end, page}]
    fields          JSON,                    -- structured fields from a source parser
    parse_errors    VARCHAR[],
    previous_version_id VARCHAR,
    run_id          VARCHAR NOT NULL,
    loaded_at       TIMESTAMP
);

CREATE TABLE extractions (
    extraction_id     VARCHAR NOT NULL,      -- hash of url + sha256 + extractor_version
    version_id        VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    url               VARCHAR NOT NULL,
    sha256            VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    published         DATE,                  -- Extraction.published
    errors            VARCHAR[],
    main_programme_id VARCHAR,               -- most mentioned (first on ties) programme
    run_id            VARCHAR NOT NULL,
    loaded_at         TIMESTAMP
);

CREATE TABLE programmes (
    programme_id   VARCHAR NOT NULL,         -- p_ + hash of the first normalised name
    name           VARCHAR NOT NULL,         -- display name (first seen, longest form)
    norm_name      VARCHAR NOT NULL,         -- normalised name (see warehouse/programmes.py)
    first_run_id   VARCHAR,
    first_seen_at  TIMESTAMP
);

CREATE TABLE programme_aliases (
    programme_id  VARCHAR NOT NULL,
    alias         VARCHAR NOT NULL,          -- as written
    norm_alias    VARCHAR NOT NULL,          -- compact normalised key used for exact matching
    origin        VARCHAR,                   -- name | alias | quoted | parenthesis
    matched_by    VARCHAR,                   -- new | exact | alias | fuzzy:<score>
    first_run_id  VARCHAR,
    extraction_id VARCHAR                    -- where it was first seen
);

CREATE TABLE records (
    record_id          VARCHAR NOT NULL,     -- extraction_id + programme ordinal
    extraction_id      VARCHAR NOT NULL,
    version_id         VARCHAR NOT NULL,
    document_id        VARCHAR NOT NULL,
    programme_id       VARCHAR,              -- NULL: the document names no programme and has no title
    programme_name     VARCHAR,              -- name as written in this document
    is_main            BOOLEAN,              -- the document's main programme
    mentions           INTEGER,              -- programme mentions in the document
    n_amounts          INTEGER,
    n_deadlines        INTEGER,
    n_dates            INTEGER,
    n_municipalities   INTEGER,
    extractor_version  VARCHAR,
    run_id             VARCHAR NOT NULL
);

CREATE TABLE programme_mentions (
    mention_id        VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    extraction_id     VARCHAR NOT NULL,
    version_id        VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    programme_id      VARCHAR,
    name              VARCHAR,
    aliases           VARCHAR[],
    inferred          BOOLEAN,               -- TRUE: no programme named, the title stands in
    span_text         VARCHAR,
    span_start        INTEGER,
    span_end          INTEGER,
    snippet           VARCHAR,
    rule              VARCHAR,
    extractor_version VARCHAR,
    run_id            VARCHAR NOT NULL
);

CREATE TABLE amounts (
    amount_id         VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    extraction_id     VARCHAR NOT NULL,
    version_id        VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    programme_id      VARCHAR,
    value_eur         DECIMAL(18, 2),
    low_eur           DECIMAL(18, 2),        -- lower bound of a range
    qualifier         VARCHAR,               -- exact | approx | max | min | over | under
    unit              VARCHAR,               -- total | per_year | per_project | ...
    role              VARCHAR,               -- budget | grant | grant_min | project_cost | own_contribution | other
    attached_by       VARCHAR,               -- sentence | section | main | only
    span_text         VARCHAR,
    span_start        INTEGER,
    span_end          INTEGER,
    snippet           VARCHAR,
    rule              VARCHAR,
    extractor_version VARCHAR,
    run_id            VARCHAR NOT NULL
);

CREATE TABLE deadlines (
    deadline_id       VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    extraction_id     VARCHAR NOT NULL,
    version_id        VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    programme_id      VARCHAR,
    date              DATE,                  -- NULL for laufend / durations
    kind              VARCHAR,               -- XFLB: fristdatum | fristJaehrlich | fristFest | fristSpanne | laufend | stichtage
    granularity       VARCHAR,
    time              VARCHAR,               -- "12:00"
    subject           VARCHAR,               -- antrag | skizze | interessenbekundung | ...
    duration          VARCHAR,               -- ISO 8601 (fristFest)
    cue               VARCHAR,
    attached_by       VARCHAR,
    span_text         VARCHAR,
    span_start        INTEGER,
    span_end          INTEGER,
    snippet           VARCHAR,
    rule              VARCHAR,
    extractor_version VARCHAR,
    run_id            VARCHAR NOT NULL
);

CREATE TABLE dates (
    date_id           VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    extraction_id     VARCHAR NOT NULL,
    version_id        VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    programme_id      VARCHAR,
    date              DATE,
    date_end          DATE,
    granularity       VARCHAR,
    kind              VARCHAR,               -- period_start | period_end | call_start | event | publication | other
    time              VARCHAR,
    attached_by       VARCHAR,
    span_text         VARCHAR,
    span_start        INTEGER,
    span_end          INTEGER,
    snippet           VARCHAR,
    rule              VARCHAR,
    extractor_version VARCHAR,
    run_id            VARCHAR NOT NULL
);

CREATE TABLE municipality_mentions (
    mention_id        VARCHAR NOT NULL,
    record_id         VARCHAR NOT NULL,
    extraction_id     VARCHAR NOT NULL,
    version_id        VARCHAR NOT NULL,
    document_id       VARCHAR NOT NULL,
    programme_id      VARCHAR,
    name              VARCHAR,               -- bare name ("Aachen")
    type              VARCHAR,               -- type word as written ("Stadt", "Landkreis")
    ags               VARCHAR,               -- Amtlicher Gemeindeschlüssel (8 or 5 digits), NULL if unresolved
    candidates        INTEGER,
    attached_by       VARCHAR,
    span_text         VARCHAR,
    span_start        INTEGER,
    span_end          INTEGER,
    snippet           VARCHAR,
    rule              VARCHAR,
    extractor_version VARCHAR,
    run_id            VARCHAR NOT NULL
);

CREATE TABLE changes (
    change_id        VARCHAR NOT NULL,
    run_id           VARCHAR NOT NULL,       -- the run that saw the change
    document_id      VARCHAR NOT NULL,
    url              VARCHAR,
    old_version_id   VARCHAR,
    new_version_id   VARCHAR,
    old_extraction_id VARCHAR,
    new_extraction_id VARCHAR,
    cause            VARCHAR,                -- new_version | reextracted (same content, new extractor)
    programme_id     VARCHAR,
    programme_name   VARCHAR,
    field            VARCHAR NOT NULL,       -- programme | deadline | amount | municipality
    aspect           VARCHAR,                -- deadline kind/subject, amount role/unit
    change           VARCHAR NOT NULL,       -- added | removed | moved | changed
    old_value        VARCHAR,                -- ISO date, decimal EUR, name (AGS)
    new_value        VARCHAR,
    old_snippet      VARCHAR,
    new_snippet      VARCHAR,
    detected_at      TIMESTAMP
);

CREATE TABLE municipalities (
    ags         VARCHAR NOT NULL,            -- 8 digits (Gemeinde) or 5 digits (Kreis)
    name        VARCHAR NOT NULL,
    type        VARCHAR,                     -- Stadt, Gemeinde, Landkreis, ...
    level       VARCHAR,                     -- land | regierungsbezirk | kreis | gemeinde | ...
    parent_ags  VARCHAR,
    land        VARCHAR,
    population  BIGINT,
    loaded_at   TIMESTAMP
);
