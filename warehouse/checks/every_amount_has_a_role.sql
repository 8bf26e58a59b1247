-- Every amount carries a role (budget, grant, grant_min, award, project_cost, own_contribution, other).
SELECT amount_id, span_text FROM amounts WHERE role IS NULL OR role = ''
