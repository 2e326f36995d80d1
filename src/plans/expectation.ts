// What a plan predicts the route tables will look like once its change has settled: the check
// after the change (verification.ts) reads the same tables again and compares.

export interface ExpectedTable {
  route_table_id: string;
  /** Destination → route signature (verification.ts `routeMap`), as the table should be after the change. */
  routes: ReadonlyMap<string, string>;
  /** An attachment whose own routes could not be predicted (its prefixes were unknown): routes through it alone are no difference. */
  unpredictableVia?: string;
  /**
   * A destination whose static route is deleted: a propagated route hidden behind it (the API
   * lists selected routes only) may take it over, so a propagated route found there is no difference.
   */
  hiddenPropagatedAt?: string;
}

export interface Expectation {
  tables: ExpectedTable[];
}
