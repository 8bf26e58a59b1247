-- @view: Open calls: current funding records with an application deadline today or later (fr_today(), i.e. current_date unless a notebook set another day), one row per record with its next deadline, amounts and source URL. Rolling calls (laufend) without a date are not listed.
-- @column programme: Programme display name.
-- @column programme_id: Merged programme key.
-- @column next_deadline: Earliest deadline on or after today.
-- @column deadline_time: Clock time of that deadline, where given ("12:00").
-- @column deadline_kind: XFLB kind of that deadline (fristdatum, fristJaehrlich, stichtage, ...).
-- @column subject: What is due (antrag, skizze, interessenbekundung, ...).
-- @column days_left: Days from today to next_deadline.
-- @column open_deadlines: Deadlines of this record on or after today.
-- @column budget_eur: Largest amount with role budget (total programme/call volume).
-- @column max_grant_eur: Largest amount with role grant (per project/applicant).
-- @column amounts: All amounts of the record: list of {value_eur, low_eur, role, unit, qualifier}.
-- @column url: Source document URL.
-- @column source: Source name.
-- @column title: Document title.
-- @column published: Document publication date.
-- @column evidence: Sentence around the next deadline in the document.
-- @column document_id: Document key.
-- @column record_id: Record key.
WITH dl AS (
    SELECT record_id, min(date) AS next_deadline, arg_min(time, date) AS deadline_time,
           arg_min(kind, date) AS deadline_kind, arg_min(subject, date) AS subject,
           arg_min(snippet, date) AS evidence, count(*) AS open_deadlines
    FROM deadlines WHERE date >= fr_today() GROUP BY record_id
), amt AS (
    SELECT record_id,
           max(value_eur) FILTER (WHERE role = 'budget') AS budget_eur,
           max(value_eur) FILTER (WHERE role = 'grant') AS max_grant_eur,
           list({'value_eur': value_eur, 'low_eur': low_eur, 'role': role, 'unit': unit,
                 'qualifier': qualifier} ORDER BY span_start) AS amounts
    FROM amounts GROUP BY record_id
)
SELECT c.programme, c.programme_id, dl.next_deadline, dl.deadline_time, dl.deadline_kind,
       dl.subject, (dl.next_deadline - fr_today())::INTEGER AS days_left, dl.open_deadlines,
       amt.budget_eur, amt.max_grant_eur, amt.amounts, c.url, c.source, c.title, c.published,
       dl.evidence, c.document_id, c.record_id
FROM current_records c
JOIN dl ON dl.record_id = c.record_id
LEFT JOIN amt ON amt.record_id = c.record_id
ORDER BY dl.next_deadline, c.programme
