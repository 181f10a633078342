// The `docker pull` commands for what a view shows, by tag and by digest, each with a copy
// button, written with the registry host as a person types it (none for Docker Hub).
import { copyButton, h } from '../dom.js';

const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** The name `docker pull` takes for `path` on `host`: Docker Hub's without its host and library/. */
export function pullName(host: string, path: string): string {
  if (!DOCKER_HUB_HOSTS.has(host)) return `${host}/${path}`;
  return path.startsWith('library/') && path.split('/').length === 2 ? path.slice('library/'.length) : path;
}

export function pullCommands(name: string, tag: string | undefined, digest: string | undefined): HTMLElement {
  const commands = [
    tag === undefined ? null : { label: 'by tag', command: `docker pull ${name}:${tag}` },
    digest === undefined ? null : { label: 'by digest', command: `docker pull ${name}@${digest}` },
  ].filter((c): c is { label: string; command: string } => c !== null);
  return h(
    'dl',
    { class: 'pull-commands pairs' },
    ...commands.flatMap(({ label, command }) => [
      h('dt', {}, `Pull ${label}`),
      h('dd', { 'data-pull': label.replace('by ', '') }, h('code', {}, command), ' ', copyButton(command, `pull command ${label}`)),
    ]),
  );
}
