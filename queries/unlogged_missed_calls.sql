-- Callbacks owed from the call log with no task logged for that number in the range
-- (`task_logged`: no task for the number was open at any point in the range):
-- work that lives only in the phone system.
SELECT
    practice_id,
    iso_week,
    COUNT(*) AS callbacks_owed,
    SUM(CASE WHEN task_logged THEN 0 ELSE 1 END) AS without_task
FROM missed_calls
GROUP BY practice_id, iso_week
ORDER BY practice_id, iso_week
