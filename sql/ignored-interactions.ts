/**
 * ignored_interactions: interactions on or before the date without a direct cost, in a month and
 * touchpoint that has a cost pool, whose quantity is not positive: they take no share (the job
 * warns how many). Reads service_cost_pools. Parameters: as_of.
 */
export default `
SELECT count(*) AS interactions
FROM interactions AS i
WHERE i.occurred_on <= CAST(? AS DATE)
  AND i.cost IS NULL
  AND NOT (i.quantity > 0)
  AND EXISTS (
    SELECT 1
    FROM service_cost_pools AS pools
    WHERE pools.period = substr(CAST(i.occurred_on AS VARCHAR), 1, 7)
      AND pools.touchpoint_key = translate(i.touchpoint, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
  )
`;
