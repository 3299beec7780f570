/** Versioned schema. Append a migration; never edit one that has shipped. PRAGMA user_version tracks the level. */
export const MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    agent TEXT NOT NULL,
    type TEXT NOT NULL,
    task TEXT NOT NULL,
    prompt TEXT NOT NULL,
    repo TEXT NOT NULL,
    base_ref TEXT NOT NULL,
    base_sha TEXT NOT NULL,
    branch TEXT NOT NULL,
    bring_back INTEGER NOT NULL,
    image TEXT NOT NULL,
    model TEXT,
    options TEXT NOT NULL,
    memory_bytes INTEGER NOT NULL,
    cpus REAL NOT NULL,
    pids INTEGER NOT NULL,
    timeout_ms INTEGER NOT NULL,
    session_id TEXT NOT NULL,
    resume INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    phase TEXT NOT NULL,
    reason TEXT,
    error TEXT,
    exit_code INTEGER,
    run_dir TEXT NOT NULL,
    checkout_dir TEXT,
    container_id TEXT,
    container_name TEXT,
    model_token TEXT NOT NULL,
    owner_pid INTEGER,
    owner_start TEXT,
    stop_requested TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    last_output_at INTEGER,
    stdout_lines INTEGER NOT NULL DEFAULT 0,
    stderr_lines INTEGER NOT NULL DEFAULT 0,
    result_text TEXT,
    num_turns INTEGER,
    cost_usd REAL,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cache_read_tokens INTEGER,
    cache_creation_tokens INTEGER,
    head_sha TEXT,
    commits_ahead INTEGER,
    merged_at INTEGER,
    merge_sha TEXT
  );
  CREATE INDEX runs_state ON runs(state);
  CREATE INDEX runs_repo_branch ON runs(repo, branch);
  CREATE TABLE events (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    agent TEXT NOT NULL,
    repo TEXT NOT NULL,
    volume TEXT NOT NULL,
    last_run_id TEXT
  );
  `,
  /* 2 */ `
  -- Why a run was asked to stop, in words (e.g. what failed when its model endpoint was unreachable).
  ALTER TABLE runs ADD COLUMN stop_detail TEXT;
  -- One live run per branch of a repo, and per agent session: the store refuses a second one even when two spawns
  -- race (the check in spawn is only for a friendly message). Terminal states are the ones that never change.
  CREATE UNIQUE INDEX runs_live_branch ON runs(repo, branch) WHERE state NOT IN ('completed', 'failed', 'cancelled', 'timed_out', 'crashed');
  CREATE UNIQUE INDEX runs_live_session ON runs(session_id) WHERE state NOT IN ('completed', 'failed', 'cancelled', 'timed_out', 'crashed');
  `,
  /* 3 */ `
  -- Which supervisor host owns the run: pid + start time tell whether its process lives; the id tells hosts in one
  -- process apart.
  ALTER TABLE runs ADD COLUMN owner_id TEXT;
  -- Decided at spawn, used when the run leaves the queue and gets its checkout and container.
  ALTER TABLE runs ADD COLUMN reuse_branch INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE runs ADD COLUMN new_session INTEGER NOT NULL DEFAULT 0;
  -- clone: a private clone of the repo (the default); scratch: an empty workspace; mount: a directory mounted as is.
  ALTER TABLE runs ADD COLUMN workspace TEXT NOT NULL DEFAULT 'clone';
  -- Persistent runs take further turns; idle ones end after idle_timeout_ms without a message.
  ALTER TABLE runs ADD COLUMN keep_alive INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE runs ADD COLUMN idle_timeout_ms INTEGER;
  -- A run spawned by another run (a coordinator agent), for trees of runs.
  ALTER TABLE runs ADD COLUMN parent_run_id TEXT;
  CREATE INDEX runs_queue ON runs(state, created_at);
  `,
  /* 4 */ `
  -- Where a run reports its end (POST, signed); checked at spawn.
  ALTER TABLE runs ADD COLUMN webhook_url TEXT;
  -- A run's end notification, kept until delivered or given up, so a daemon restart resumes it. The body is fixed
  -- when the run ends; no foreign key, so removing the run does not drop a notification still owed. One per run.
  CREATE TABLE webhook_deliveries (
    run_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    delivered_at INTEGER
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
  -- Logged-out JWTs (by jti) and token families (every token one /auth/token call led to), until they expire anyway.
  CREATE TABLE revoked_tokens (
    id TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL
  );
  `,
  /* 5 */ `
  -- How a run's output is handed back by the Stromboli face (its claude.output_format: text, json or stream-json).
  -- Paddock always reads stream-json; this only says how /run and /jobs/{id} render it. Goes with its run.
  CREATE TABLE run_output_formats (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    format TEXT NOT NULL
  );
  `,
  /* 6 */ `
  -- The turns of a persistent run (keep_alive), the first prompt included: kept until the agent has them, so a
  -- message sent while the daemon restarts is not lost. state: pending (not sent yet), sent (written to the run's
  -- input socket, not yet acknowledged), delivered (the reader in the container passed it to the agent).
  CREATE TABLE messages (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    text TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    sent_at INTEGER,
    delivered_at INTEGER,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  -- A persistent run whose input Paddock closed (idle timeout, or a stop while idle): the agent ends after its turn.
  CREATE TABLE input_closures (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    closed_at INTEGER NOT NULL
  );
  `,
  /* 7 */ `
  -- Egress: a run's network policy as it was settled at spawn (mode none, proxy or open; the allow rules in force,
  -- the server's defaults included, as a JSON array), and its counters over every attempt, also those past the cap.
  CREATE TABLE run_networks (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    allow TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    allowed INTEGER NOT NULL DEFAULT 0,
    denied INTEGER NOT NULL DEFAULT 0,
    bytes_up INTEGER NOT NULL DEFAULT 0,
    bytes_down INTEGER NOT NULL DEFAULT 0,
    dropped INTEGER NOT NULL DEFAULT 0
  );
  -- Each connection attempt through a run's egress proxy, up to a cap per run (run_networks.dropped counts the rest).
  CREATE TABLE network_attempts (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    method TEXT NOT NULL,
    address TEXT,
    allowed INTEGER NOT NULL,
    rule TEXT,
    reason TEXT,
    bytes_up INTEGER NOT NULL,
    bytes_down INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  `,
  /* 8 */ `
  -- Model gateway (security): budgets over trees of runs, and what a run may ask the model for.
  -- root_run_id: the top of the run's tree (parent_run_id, followed up); its max_budget_usd covers the whole tree.
  ALTER TABLE runs ADD COLUMN root_run_id TEXT;
  ALTER TABLE runs ADD COLUMN max_budget_usd REAL;
  -- JSON array of model globs (NULL: any model); the max_tokens cap (NULL: none).
  ALTER TABLE runs ADD COLUMN allowed_models TEXT;
  ALTER TABLE runs ADD COLUMN max_tokens INTEGER;
  CREATE INDEX runs_root ON runs(root_run_id);
  `,
  /* 9 */ `
  -- Jail (security): the UID (and GID) each run's agent runs as, from a reserved range with no host account, so no
  -- two live runs share one and a restarted daemon hands the same run the same identity. owner_uid/owner_gid: who
  -- owned a mounted directory before the run took it (it is handed back to them at the end).
  CREATE TABLE run_identities (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    uid INTEGER NOT NULL,
    gid INTEGER NOT NULL,
    owner_uid INTEGER,
    owner_gid INTEGER,
    allocated_at INTEGER NOT NULL
  );
  CREATE INDEX run_identities_uid ON run_identities(uid);
  `,
  /* 10 */ `
  -- What a run was granted beyond its workspace, as checked at spawn (docs/policy.md, docs/secrets.md): extra
  -- mounts (JSON [{host, container, readOnly}], host paths resolved) and secret variables (JSON {VARIABLE: secret
  -- name}; names only, never a value). A resume of the run gets the same again.
  CREATE TABLE run_grants (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    mounts TEXT NOT NULL,
    secrets_env TEXT NOT NULL
  );
  `,
  /* 11 */ `
  -- Coordinator runs (docs/coordinator.md, "A coordinator inside Paddock"): the daemon serves such a run an MCP
  -- endpoint on mcp.sock in its relay directory, speaking for it (the runs it spawns record it as their parent).
  ALTER TABLE runs ADD COLUMN coordinator INTEGER NOT NULL DEFAULT 0;
  `,
  /* 12 */ `
  -- Projects and agent personas (docs/projects.md): named spawn defaults. spec is the validated JSON settings
  -- (app/projects.ts, app/personas.ts). A persona row named like a built-in role is that role edited; removing it
  -- restores the built-in. run_profiles: which project and persona a run was spawned with (notifications, status).
  CREATE TABLE projects (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE personas (
    name TEXT PRIMARY KEY,
    spec TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE run_profiles (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    project TEXT,
    persona TEXT
  );
  `,
  /* 13 */ `
  -- Run groups (docs/groups.md): one task raced across several agent CLIs, or one CLI several times. Members keep
  -- their order and label (the CLI, numbered when repeated); group_checks holds each member's --check outcome, for
  -- the commit it ran on (a run that moved on is checked again).
  CREATE TABLE run_groups (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    task TEXT NOT NULL,
    check_command TEXT,
    check_timeout_ms INTEGER NOT NULL
  );
  CREATE TABLE run_group_members (
    group_id TEXT NOT NULL REFERENCES run_groups(id) ON DELETE CASCADE,
    run_id TEXT NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (group_id, position)
  );
  CREATE TABLE group_checks (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    head_sha TEXT NOT NULL,
    exit_code INTEGER,
    passed INTEGER NOT NULL,
    error TEXT,
    output_tail TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    checked_at INTEGER NOT NULL
  );
  `,
  /* 14 */ `
  -- Interactive runs (docs/shell.md): 'shell' (a terminal in a fresh run container: paddock shell) or 'agent' (the
  -- agent CLI's own TUI in a terminal: spawn --interactive); NULL for every headless run. The container has a TTY
  -- and open stdin, and the supervisor stores none of its output (a terminal's bytes are no event stream).
  ALTER TABLE runs ADD COLUMN interactive TEXT;
  `,
  /* 15 */ `
  -- Lifecycle hooks (docs/hooks.md): a run's on_create / post_create / post_start commands and hooks timeout (JSON),
  -- which of them this run runs (plan: 'create' = all three, 'start' = post_start only), the nonce its entry script's
  -- markers carry, and what happened (status pending|running|started|failed; the failed hook, its exit code, why).
  CREATE TABLE run_hooks (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    lifecycle TEXT NOT NULL,
    plan TEXT,
    nonce TEXT,
    status TEXT NOT NULL,
    failed_hook TEXT,
    failed_code INTEGER,
    failed_detail TEXT
  );
  -- The session marker: its on_create and post_create ran to the end (in created_run_id); later runs skip them.
  CREATE TABLE session_hooks (
    session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    created_run_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  /* 16 */ `
  -- Services per run (docs/services.md): the run's service containers as normalised at spawn (JSON [ServiceSpec]),
  -- whether they are kept after the run ends (--keep-services; gc removes them later), and for a Compose run the
  -- service the agent runs in (its image is the run's image). A resume of the run does not carry them.
  CREATE TABLE run_services (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    services TEXT NOT NULL,
    keep INTEGER NOT NULL DEFAULT 0,
    compose_service TEXT
  );
  `,
];
