/**
 * The image resolution chain (after optimushq): explicit request > persona's image > project's image > server default
 * (PADDOCK_IMAGE) > Paddock's base agent image. Pure: spawn checks the chosen image in the engine and names the level
 * it came from when it is missing.
 */

/** Paddock's own agent image (`paddock image build`): the image when nothing else names one. */
export const PADDOCK_AGENT_IMAGE = 'localhost/paddock-agent:latest';

export type ImageLevel = 'request' | 'persona' | 'project' | 'server' | 'base';

export interface ImageChainInput {
  /** The spawn request's own image. */
  request?: string | undefined;
  persona?: { name: string; image?: string | undefined } | undefined;
  project?: { name: string; image?: string | undefined } | undefined;
  /** The server's PADDOCK_IMAGE (its default is Paddock's agent image, which then counts as the base level). */
  serverDefault: string;
}

export interface ImageChoice {
  image: string;
  level: ImageLevel;
  /** The level in words, for messages: "the request", "persona qa", "project app", "PADDOCK_IMAGE", "Paddock's base agent image". */
  from: string;
}

export function chooseImage(c: ImageChainInput): ImageChoice {
  if (c.request !== undefined) return { image: c.request, level: 'request', from: 'the request' };
  if (c.persona?.image !== undefined) return { image: c.persona.image, level: 'persona', from: `persona ${c.persona.name}` };
  if (c.project?.image !== undefined) return { image: c.project.image, level: 'project', from: `project ${c.project.name}` };
  if (c.serverDefault !== PADDOCK_AGENT_IMAGE) return { image: c.serverDefault, level: 'server', from: 'the server default, PADDOCK_IMAGE' };
  return { image: PADDOCK_AGENT_IMAGE, level: 'base', from: "Paddock's base agent image" };
}

/** What to do about a missing image, by the level it came from. */
export function missingImageHint(choice: ImageChoice): string {
  switch (choice.level) {
    case 'request':
      return 'build or pull it first, or leave --image out to use the chain (persona, project, PADDOCK_IMAGE)';
    case 'persona':
      return `build it first, or change the persona: paddock agent set ${choice.from.slice('persona '.length)} --image …`;
    case 'project':
      return `build it first, or change the project: paddock project set ${choice.from.slice('project '.length)} --image …`;
    case 'server':
      return 'build it first, or change PADDOCK_IMAGE';
    case 'base':
      return 'build it with `paddock image build` (npm run up does)';
  }
}
