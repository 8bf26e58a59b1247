-- @view: Open calls, one row per call (see calls): a deadline on or after today (fr_today(), i.e. current_date unless a notebook set another day), or a rolling call (laufend: deadline_kind laufend, next_deadline NULL). Page, guideline PDF and database entry of the same call are one row with all their URLs.
-- @column programme: Programme display name.
-- @column call_id: Call key (see calls).
-- @column next_deadline: Earliest deadline on or after today; NULL for a rolling call.
-- @column deadline_time: Clock time of that deadline, where given ("12:00").
-- @column deadline_kind: XFLB kind of that deadline (fristdatum, fristJaehrlich, stichtage, ...); laufend for a rolling call.
-- @column subject: What is due (antrag, skizze, interessenbekundung, ...).
-- @column days_left: Days from today to next_deadline (NULL for a rolling call).
-- @column open_deadlines: Dated deadlines on or after today.
-- @column rolling: TRUE for a call open until further notice.
-- @column budget_eur: Largest amount with role budget (total programme/call volume).
-- @column max_grant_eur: Largest amount with role grant (per project/applicant).
-- @column url: The call's main document (its announcement page where there is one).
-- @column urls: Every current document of the call.
-- @column documents: Number of those documents.
-- @column sources: Sources announcing the call.
-- @column title: Title of the main document.
-- @column published: Earliest publication date.
-- @column evidence: Sentence around the next deadline in the document.
-- @column programme_id: Merged programme key.
-- @column land: Land of the call (see calls: municipalities' keys, else source, else text).
-- @column land_code: 2-digit key of that Land.
-- @column applicants: Who may apply, as applicant types (see calls).
-- @column foerderart: Förderdatenbank facet Förderart.
-- @column foerderbereich: Förderdatenbank facet Förderbereich.
-- @column foerdergebiet: Förderdatenbank facet Fördergebiet.
-- @column foerderberechtigte: Förderdatenbank facet Förderberechtigte.
SELECT programme, call_id, next_deadline, deadline_time, deadline_kind, subject, days_left,
       open_deadlines, rolling, budget_eur, max_grant_eur, url, urls, documents, sources, title,
       published, evidence, programme_id, land, land_code, applicants, foerderart,
       foerderbereich, foerdergebiet, foerderberechtigte
FROM calls
WHERE is_open
ORDER BY next_deadline NULLS LAST, programme
