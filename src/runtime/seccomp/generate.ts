/**
 * Generates src/runtime/seccomp/paddock.json, the seccomp profile every Paddock container gets on both engines:
 * the engine's default profile (Podman's, from containers-common: /usr/share/containers/seccomp.json on the host)
 * resolved for a container with no capabilities on x86_64/aarch64, plus Paddock's denials:
 *   - keyctl, add_key, request_key: the kernel keyrings (a run must never see the host user's keys);
 *   - ptrace, process_vm_readv/writev: no freezing tini, no reading another process's memory;
 *   - unshare and clone with any namespace flag (CLONE_NEWUSER above all), and clone3 fails with ENOSYS (its flags sit
 *     in a struct seccomp cannot read), so libc falls back to clone, whose flags are filtered;
 *   - socket(AF_VSOCK).
 * Run: node src/runtime/seccomp/generate.ts [base profile] (writes paddock.json next to this file).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Arg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}
interface Rule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: Arg[] | null;
  includes?: { caps?: string[]; arches?: string[]; minKernel?: string };
  excludes?: { caps?: string[]; arches?: string[]; minKernel?: string };
  comment?: string;
}
interface Profile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap?: unknown;
  syscalls: Rule[];
}

const EPERM = 1;
const ENOSYS = 38;
const EAFNOSUPPORT = 97;
const AF_VSOCK = 40;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET (what Docker's default masks, too). */
const NAMESPACE_FLAGS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];
const NAMESPACE_MASK = NAMESPACE_FLAGS.reduce((a, b) => a | b, 0);
/** Taken out of every rule of the base and given Paddock's own rules below. */
const REPLACED = new Set(['keyctl', 'add_key', 'request_key', 'ptrace', 'process_vm_readv', 'process_vm_writev', 'unshare', 'clone', 'clone3', 'socket']);
/** The arches Paddock runs on (the Go names the engines' includes/excludes use). */
const ARCHES = ['amd64', 'arm64'];

/** Whether a rule of the base applies to a container with no capabilities on Paddock's arches. */
function applies(r: Rule): boolean {
  if (r.includes?.caps?.length) return false;
  if (r.includes?.arches?.length && !r.includes.arches.some((a) => ARCHES.includes(a))) return false;
  return true;
}

export function paddockProfile(base: Profile): Profile {
  const kept: Rule[] = [];
  for (const r of base.syscalls) {
    if (!applies(r)) continue;
    const names = r.names.filter((n) => !REPLACED.has(n));
    if (names.length === 0) continue;
    const out: Rule = { names, action: r.action };
    if (r.errnoRet !== undefined) out.errnoRet = r.errnoRet;
    if (r.args?.length) out.args = r.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op }));
    if (r.includes?.arches?.length) out.includes = { arches: r.includes.arches };
    kept.push(out);
  }
  const flagRules = (name: string): Rule[] => [
    // Allowed when no namespace flag is set; refused (EPERM) when any is: one rule per flag, disjoint from the allow.
    { names: [name], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: NAMESPACE_MASK, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }], comment: `${name} without namespace flags` },
    ...NAMESPACE_FLAGS.map(
      (f): Rule => ({
        names: [name],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: EPERM,
        args: [{ index: 0, value: f, valueTwo: f, op: 'SCMP_CMP_MASKED_EQ' }],
        comment: `paddock: no new namespaces (${name})`,
      }),
    ),
  ];
  return {
    defaultAction: base.defaultAction,
    ...(base.defaultErrnoRet !== undefined ? { defaultErrnoRet: base.defaultErrnoRet } : {}),
    ...(base.archMap ? { archMap: base.archMap } : {}),
    syscalls: [
      ...kept,
      { names: ['keyctl', 'add_key', 'request_key'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, comment: 'paddock: no kernel keyrings' },
      { names: ['ptrace', 'process_vm_readv', 'process_vm_writev'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, comment: 'paddock: no tracing another process' },
      ...flagRules('clone'),
      ...flagRules('unshare'),
      { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, comment: 'paddock: clone3 flags cannot be filtered: ENOSYS makes libc fall back to clone' },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: AF_VSOCK, valueTwo: 0, op: 'SCMP_CMP_NE' }], comment: 'socket: any family but AF_VSOCK' },
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: EAFNOSUPPORT, args: [{ index: 0, value: AF_VSOCK, valueTwo: 0, op: 'SCMP_CMP_EQ' }], comment: 'paddock: no AF_VSOCK' },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const basePath = process.argv[2] ?? '/usr/share/containers/seccomp.json';
  const base = JSON.parse(readFileSync(basePath, 'utf8')) as Profile;
  const out = join(dirname(fileURLToPath(import.meta.url)), 'paddock.json');
  writeFileSync(out, `${JSON.stringify(paddockProfile(base), null, 2)}\n`);
  console.log(`wrote ${out} from ${basePath}`);
}
