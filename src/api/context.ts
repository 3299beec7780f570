/** What every request carries through the API's middleware. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    /** Who made the request (token subject, or "local" on the unix socket); set by auth. */
    principal: string;
  };
}
