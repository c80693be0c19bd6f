-- Open and overdue tasks per owner at the last close in the range.
SELECT
    b.practice_id,
    COALESCE(b.owner, '(unassigned)') AS owner,
    SUM(b.open) AS open,
    SUM(b.overdue) AS overdue,
    SUM(b.age_8_14d + b.age_15d_plus) AS older_than_week
FROM backlog_daily AS b
INNER JOIN (SELECT practice_id, MAX(date) AS last_date FROM backlog_daily GROUP BY practice_id) AS l
    ON b.practice_id = l.practice_id AND b.date = l.last_date
GROUP BY b.practice_id, COALESCE(b.owner, '(unassigned)')
ORDER BY b.practice_id, open DESC, owner
