/** Opens a Paddock: config, state directory, database, and (lazily) the container engine. Every surface starts here. */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Config, loadConfig } from '../config/index.ts';
import { setGitTimeout } from '../workspace/index.ts';
import { EventLog } from '../events/index.ts';
import { type ContainerRuntime, discoverEngine, DockerEngineRuntime } from '../runtime/index.ts';
import { openDb, type Db } from '../store/db.ts';
import { RunsRepo } from '../store/runs-repo.ts';
import { MessagesRepo } from '../store/messages-repo.ts';

import { SessionsRepo } from '../store/sessions-repo.ts';
import { SupervisorHost } from './host.ts';

export interface Paddock {
  config: Config;
  db: Db;
  runs: RunsRepo;
  sessions: SessionsRepo;
  events: EventLog;
  /** Turns of persistent runs, with their delivery state. */
  messages: MessagesRepo;

  /** Identifies this state directory on a shared engine (label dev.paddock.instance). */
  instance: string;
  /** The engine, discovered on first use (and started, when only the podman binary is there). */
  runtime(): Promise<ContainerRuntime>;
  /** Supervises runs: takes them from the queue, adopts orphans, lets go on shutdown. */
  host: SupervisorHost;
  /** Lets go of every run (their containers run on), then closes the database. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Where the host writes what it has to say (supervision errors). */
  log?: (msg: string) => void;
}

export function openPaddock(config: Config = loadConfig(), opts: OpenOptions = {}): Paddock {
  setGitTimeout(config.gitTimeout);
  // Paddock's home (the database with live run tokens, every run's directory) is its own: 0700, however it was made.
  mkdirSync(join(config.home, 'runs'), { recursive: true, mode: 0o700 });
  chmodSync(config.home, 0o700);
  chmodSync(join(config.home, 'runs'), 0o700);
  const db = openDb(join(config.home, 'paddock.db'));
  let engine: Promise<ContainerRuntime> | undefined;
  const p: Paddock = {
    config,
    db,
    runs: new RunsRepo(db),
    sessions: new SessionsRepo(db),
    events: new EventLog(db),
    messages: new MessagesRepo(db),

    instance: instanceId(config.home),
    runtime: () => {
      // A configured socket is used alone: falling back to another engine would surprise whoever set it.
      const found =
        engine ??
        (config.engineSocket ? DockerEngineRuntime.connect(config.engineSocket.replace(/^unix:\/\//, '')) : discoverEngine({ startPodman: true, podmanSocketPath: '/run/paddock/podman.sock' }));
      engine = found;
      found.catch(() => {
        engine = undefined;
      }); // a later call may find the engine up
      return found;
    },
    host: undefined as unknown as SupervisorHost,
    close: async () => {
      await p.host.shutdown();
      db.close();
    },
  };
  p.host = new SupervisorHost(p, opts.log);
  return p;
}

function instanceId(home: string): string {
  const file = join(home, 'instance');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    const id = randomBytes(6).toString('hex');
    try {
      writeFileSync(file, `${id}\n`, { flag: 'wx' });
      return id;
    } catch {
      return readFileSync(file, 'utf8').trim(); // another process created it first: use theirs
    }
  }
}
