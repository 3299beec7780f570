/** Agent personas (docs/projects.md): stored ones, and edits of the built-in roles under their names. */
import type { Db } from './db.ts';
import { NamedSpecRepo } from './projects-repo.ts';

export class PersonasRepo<S> extends NamedSpecRepo<S> {
  constructor(db: Db) {
    super(db, 'personas');
  }
}
