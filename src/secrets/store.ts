/**
 * The secret store: outside the database, one file encrypted entry by entry with AES-256-GCM (the secret's name is
 * the additional data, so an entry cannot be moved to another name), under a random 256-bit key in a key file made
 * on first use. Directory 0700, both files 0600, written whole and renamed into place.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { checkSecretName, MAX_SECRET_BYTES } from './names.ts';

export interface SecretInfo {
  /** A random id (Stromboli lists one), fixed for the secret's life. */
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}

interface Entry extends SecretInfo {
  iv: string;
  tag: string;
  data: string;
}

interface StoreFile {
  version: 1;
  secrets: Record<string, Entry>;
}

export class SecretStore {
  readonly dir: string;
  private readonly file: string;
  private readonly keyFile: string;

  constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, 'secrets.json');
    this.keyFile = join(dir, 'key');
  }

  list(): SecretInfo[] {
    return Object.values(this.read().secrets)
      .map(infoOf)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  info(name: string): SecretInfo | undefined {
    const e = this.read().secrets[name];
    return e ? infoOf(e) : undefined;
  }

  has(name: string): boolean {
    return this.read().secrets[name] !== undefined;
  }

  /** Stores a value under name; an existing one is replaced only when replace (else CONFLICT). Returns its metadata. */
  set(name: string, value: string, opts: { replace: boolean }): { info: SecretInfo; replaced: boolean } {
    checkSecretName(name);
    if (value.length === 0) throw new PaddockError(ErrorCode.InvalidInput, 'the secret value is empty', { hint: 'pass the value on stdin (or in the request body)' });
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new PaddockError(ErrorCode.InvalidInput, `the secret value is larger than ${MAX_SECRET_BYTES} bytes`);
    if (value.includes('\0')) throw new PaddockError(ErrorCode.InvalidInput, 'the secret value holds a NUL byte, which no environment variable can carry');
    const store = this.read();
    const old = store.secrets[name];
    if (old && !opts.replace) throw new PaddockError(ErrorCode.Conflict, `secret ${name} already exists`, { hint: 'remove it first, or use `paddock secret set` to replace it' });
    const key = this.key(true)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(name));
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const now = Date.now();
    const entry: Entry = {
      id: old?.id ?? randomBytes(12).toString('hex'),
      name,
      createdAt: old?.createdAt ?? now,
      updatedAt: now,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    store.secrets[name] = entry;
    this.write(store);
    return { info: infoOf(entry), replaced: old !== undefined };
  }

  /** The value, decrypted; undefined when there is no such secret. */
  value(name: string): string | undefined {
    const e = this.read().secrets[name];
    if (!e) return undefined;
    const key = this.key(false);
    if (!key) throw new PaddockError(ErrorCode.Internal, `the secret store's key file ${this.keyFile} is missing`, { hint: 'the secrets cannot be read without it: set them again' });
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(e.iv, 'base64'));
      d.setAAD(aad(name));
      d.setAuthTag(Buffer.from(e.tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(e.data, 'base64')), d.final()]).toString('utf8');
    } catch {
      throw new PaddockError(ErrorCode.Internal, `secret ${name} cannot be decrypted (the store or its key file was changed)`, { hint: 'set the secret again' });
    }
  }

  /** Removes a secret; false when there was none. */
  delete(name: string): boolean {
    const store = this.read();
    if (!store.secrets[name]) return false;
    delete store.secrets[name];
    this.write(store);
    return true;
  }

  private read(): StoreFile {
    if (!existsSync(this.file)) return { version: 1, secrets: {} };
    const data = JSON.parse(readFileSync(this.file, 'utf8')) as StoreFile;
    if (data.version !== 1 || typeof data.secrets !== 'object') throw new PaddockError(ErrorCode.Internal, `${this.file} is not a secret store Paddock knows`);
    return { version: 1, secrets: Object.assign(Object.create(null) as Record<string, Entry>, data.secrets) };
  }

  private write(store: StoreFile): void {
    this.ensureDir();
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writePrivate(tmp, `${JSON.stringify(store)}\n`, 'wx');
    renameSync(tmp, this.file);
  }

  private key(create: boolean): Buffer | undefined {
    if (existsSync(this.keyFile)) {
      const key = readFileSync(this.keyFile);
      if (key.length !== 32) throw new PaddockError(ErrorCode.Internal, `${this.keyFile} is not a 256-bit key`);
      return key;
    }
    if (!create) return undefined;
    this.ensureDir();
    try {
      writePrivate(this.keyFile, randomBytes(32), 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // made by another process first: use it
    }
    return readFileSync(this.keyFile);
  }

  private ensureDir(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
  }
}

const aad = (name: string) => Buffer.from(`paddock-secret:${name}`);
const infoOf = (e: Entry): SecretInfo => ({ id: e.id, name: e.name, createdAt: e.createdAt, updatedAt: e.updatedAt });

/** Creates the file 0600 (not 0644 then chmod: no moment where it is readable), writes it whole and syncs it. */
function writePrivate(path: string, data: string | Buffer, flag: 'wx'): void {
  const fd = openSync(path, flag, 0o600);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
