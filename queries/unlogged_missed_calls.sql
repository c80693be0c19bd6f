-- Callbacks owed from the call log with no task logged for that number in the range:
-- work that lives only in the phone system.
SELECT
    m.practice_id,
    m.iso_week,
    COUNT(*) AS callbacks_owed,
    SUM(CASE WHEN t.phone_key IS NULL THEN 1 ELSE 0 END) AS without_task
FROM missed_calls AS m
LEFT JOIN (SELECT DISTINCT practice_id, phone_key FROM tasks WHERE phone_key IS NOT NULL) AS t
    ON m.practice_id = t.practice_id AND m.phone_key = t.phone_key
GROUP BY m.practice_id, m.iso_week
ORDER BY m.practice_id, m.iso_week
