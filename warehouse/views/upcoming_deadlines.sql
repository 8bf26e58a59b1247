-- @view: Every deadline of a call in the next 60 days (from fr_today(), i.e. current_date unless set), one row per call and deadline (a date stated by the page and its PDF is one row with both URLs).
-- @column date: Deadline date.
-- @column days_left: Days from today.
-- @column time: Clock time, where given.
-- @column kind: XFLB deadline kind.
-- @column subject: What is due (antrag, skizze, ...).
-- @column programme: Programme display name.
-- @column call_id: Call key (see calls).
-- @column url: The call's main document.
-- @column urls: The documents stating this deadline.
-- @column sources: Their sources.
-- @column title: Title of the call's main document.
-- @column evidence: Sentence around the deadline.
-- @column span_text: The deadline as written.
-- @column programme_id: Merged programme key.
SELECT d.date, (d.date - fr_today())::INTEGER AS days_left, min(d.time) AS time, d.kind,
       d.subject, any_value(c.programme) AS programme, c.call_id, any_value(c.url) AS url,
       list(DISTINCT r.url ORDER BY r.url) AS urls,
       list(DISTINCT r.source ORDER BY r.source) AS sources, any_value(c.title) AS title,
       min(d.snippet) AS evidence, min(d.span_text) AS span_text, c.programme_id
FROM calls c
JOIN current_records r ON r.programme_id = c.call_id
JOIN deadlines d ON d.record_id = r.record_id
WHERE d.date BETWEEN fr_today() AND fr_today() + INTERVAL 60 DAY
GROUP BY c.call_id, c.programme_id, d.date, d.kind, d.subject
ORDER BY d.date, programme
