/** What every request carries through the API's middleware. */
export interface ApiEnv {
  /**
   * Set per listener by the daemon: the unix socket (mode 0600, so only this user reaches it) is trusted, TCP is not.
   * Absent (app.request() in tests) counts as TCP: the untrusted side.
   */
  Bindings: {
    transport?: 'unix' | 'tcp';
    incoming?: import('node:http').IncomingMessage;
    /** Set by the daemon's upgrade handler (api/native/shell.ts): this request asks to open a terminal. */
    terminalUpgrade?: true;
  };
  Variables: {
    requestId: string;
    /** Who made the request (token subject, or "local" on the unix socket); set by auth. */
    principal: string;
  };
}
