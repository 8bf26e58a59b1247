-- municipalities
SELECT municipality, type, ags, land, programme, next_deadline
FROM municipality_programmes ORDER BY municipality, programme LIMIT 10
