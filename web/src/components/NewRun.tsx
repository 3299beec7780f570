/**
 * Starting a run: the fields of the API's SpawnRequest (POST /api/v1/runs). Nothing is checked here: the API's own
 * 400 names the field and says why, and that message is shown next to the field.
 */
import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api } from '../lib/api.ts';
import { navigate } from '../lib/router.ts';
import type { Run } from '../lib/types.ts';
import { Field } from './Field.tsx';

const TYPES = ['feature', 'test', 'mutation', 'explore'] as const;
const TEXT_FIELDS = ['repo', 'branch', 'base', 'image', 'model', 'memory', 'cpus', 'pids', 'timeout', 'budget'] as const;
type TextField = (typeof TEXT_FIELDS)[number];

const LABELS: Record<TextField, [string, string]> = {
  repo: ['Repository', 'Path of a git repository on the daemon’s machine'],
  branch: ['Branch', 'Default: paddock/<task>-<id>'],
  base: ['Base', 'Commit-ish to start from (default: the repository’s HEAD)'],
  image: ['Image', 'Agent image (default: the daemon’s)'],
  model: ['Model', 'e.g. sonnet'],
  memory: ['Memory', 'e.g. 2g'],
  cpus: ['CPUs', 'e.g. 2'],
  pids: ['Processes', 'e.g. 512'],
  timeout: ['Timeout', 'e.g. 30m'],
  budget: ['Budget (USD)', 'The most its model calls may cost, e.g. 2.50'],
};

export function NewRun() {
  const [values, setValues] = useState<Record<TextField, string>>(() => Object.fromEntries(TEXT_FIELDS.map((f) => [f, ''])) as Record<TextField, string>);
  const [task, setTask] = useState('');
  const [type, setType] = useState<(typeof TYPES)[number]>('feature');
  const [keepAlive, setKeepAlive] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [repos, setRepos] = useState<string[]>([]);
  useEffect(() => {
    api<{ runs: Run[] }>('GET', '/api/v1/runs?all=true&limit=200').then(
      (r) => setRepos([...new Set(r.runs.filter((x) => x.workspace === 'clone').map((x) => x.repo))]),
      () => {},
    );
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    const body: Record<string, string | number | boolean> = { task, type, ...(keepAlive ? { keepAlive: true } : {}) };
    for (const f of TEXT_FIELDS) if (values[f].trim()) body[f] = values[f];
    // The API takes the budget as a number; anything else goes as typed, and its answer says what is wrong.
    if (values.budget.trim() && Number.isFinite(Number(values.budget))) body.budget = Number(values.budget);
    try {
      const run = await api<Run>('POST', '/api/v1/runs', body);
      navigate(`/runs/${run.id}`);
    } catch (err) {
      const field = err instanceof ApiError ? err.field?.split('.')[0] : undefined;
      if (err instanceof ApiError && field && (field === 'task' || field === 'type' || (TEXT_FIELDS as readonly string[]).includes(field))) setErrors({ [field]: err.detail });
      else setFormError(err instanceof ApiError && err.hint ? `${err.message} (${err.hint})` : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const input = (f: TextField) => (
    <Field key={f} id={f} label={LABELS[f][0]} hint={LABELS[f][1]} error={errors[f]}>
      <input
        id={f}
        name={f}
        value={values[f]}
        list={f === 'repo' ? 'repos' : undefined}
        aria-invalid={errors[f] ? true : undefined}
        aria-describedby={errors[f] ? `${f}-error` : `${f}-hint`}
        onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
      />
    </Field>
  );
  return (
    <form className="card new-run" onSubmit={(e) => void submit(e)} aria-labelledby="new-title" noValidate>
      <h1 id="new-title">New run</h1>
      {input('repo')}
      <datalist id="repos">
        {repos.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
      <Field id="task" label="Task" error={errors.task}>
        <textarea
          id="task"
          name="task"
          rows={4}
          value={task}
          aria-invalid={errors.task ? true : undefined}
          aria-describedby={errors.task ? 'task-error' : undefined}
          onChange={(e) => setTask(e.target.value)}
        />
      </Field>
      <Field id="type" label="Type" error={errors.type}>
        <select id="type" name="type" value={type} onChange={(e) => setType(e.target.value as (typeof TYPES)[number])}>
          {TYPES.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </Field>
      <label className="check">
        <input type="checkbox" checked={keepAlive} onChange={(e) => setKeepAlive(e.target.checked)} /> Persistent: the agent stays for follow-up messages until it is stopped or idle too long
      </label>
      <div className="row">
        {input('branch')}
        {input('base')}
      </div>
      <div className="row">
        {input('image')}
        {input('model')}
      </div>
      <fieldset>
        <legend>Limits</legend>
        <div className="row">
          {input('memory')}
          {input('cpus')}
          {input('pids')}
          {input('timeout')}
          {input('budget')}
        </div>
      </fieldset>
      {formError && (
        <p className="field-error" role="alert">
          {formError}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Start the run
      </button>
    </form>
  );
}
