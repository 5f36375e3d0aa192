/**
 * touchpoint_unit_costs: activity-based costing, each touchpoint's monthly cost pool
 * (service_cost_pools) with the quantity of the interactions that share it, ids outside the
 * customer base included; unit cost = total_cost / interactions, divided exactly when read. Reads
 * service_cost_pools. No parameters.
 */
export default `
SELECT period, touchpoint, total_cost, coalesce(sum(quantity), 0) AS interactions
FROM service_cost_pools
GROUP BY period, touchpoint_key, touchpoint, total_cost
`;
