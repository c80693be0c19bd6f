-- Share of new-patient requests first attempted within target, by local hour of creation.
-- An afternoon slip shows as a drop after the early-afternoon hours.
SELECT
    practice_id,
    created_hour,
    COUNT(*) AS tasks,
    SUM(CASE WHEN met_target THEN 1 ELSE 0 END) AS within_target,
    SUM(CASE WHEN met_target IS NOT NULL THEN 1 ELSE 0 END) AS due,
    ROUND(AVG(CAST(met_target AS DOUBLE)), 4) AS within_target_share,
    ROUND(MEDIAN(minutes_to_first_attempt), 1) AS median_minutes_to_first_attempt
FROM task_facts
WHERE category = 'new_patient_request'
GROUP BY practice_id, created_hour
ORDER BY practice_id, created_hour
