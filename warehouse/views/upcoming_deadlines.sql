-- @view: Every deadline of a current funding record in the next 60 days (from fr_today(), i.e. current_date unless set), one row per deadline.
-- @column date: Deadline date.
-- @column days_left: Days from today.
-- @column time: Clock time, where given.
-- @column kind: XFLB deadline kind.
-- @column subject: What is due (antrag, skizze, ...).
-- @column programme: Programme display name.
-- @column programme_id: Merged programme key.
-- @column url: Source document URL.
-- @column source: Source name.
-- @column title: Document title.
-- @column evidence: Sentence around the deadline.
-- @column span_text: The deadline as written.
-- @column attached_by: How the deadline was attached to the programme (sentence, section, main, only).
-- @column record_id: Record key.
-- @column deadline_id: Deadline key.
SELECT dl.date, (dl.date - fr_today())::INTEGER AS days_left, dl.time, dl.kind, dl.subject,
       c.programme, c.programme_id, c.url, c.source, c.title, dl.snippet AS evidence,
       dl.span_text, dl.attached_by, c.record_id, dl.deadline_id
FROM current_records c
JOIN deadlines dl ON dl.record_id = c.record_id
WHERE dl.date BETWEEN fr_today() AND fr_today() + INTERVAL 60 DAY
ORDER BY dl.date, c.programme
