// Tells the view when the tag it shows moved, or was dropped, upstream. The inspector's
// worker serves a stored tag at once within `swr` and re-checks it in the background; what
// that check finds comes as a regcache event, after the store holds it, so "Show the new
// manifest" simply loads the view again. Kept apart from the views so that it stays one job.
import type { RegcacheClient } from '../../../src/client/index.js';
import type { RegcacheEvent } from '../../../src/core/protocol.js';
import { h } from '../dom.js';

/** A tag a view shows: where it was asked, and the digest shown (null when unknown). */
export interface ShownTag {
  upstream: string;
  repository: string;
  tag: string;
  digest: string | null;
}

interface Watched {
  shown: ShownTag;
  view: HTMLElement;
  reload: () => void;
}

const key = (upstream: string, repository: string, tag: string) => `${upstream} ${repository}:${tag}`;

export class TagMoves {
  #watched: Watched | null = null;
  // The last move heard of each tag: the check may end before its view is on screen.
  readonly #moves = new Map<string, Extract<RegcacheEvent, { type: 'tag-moved' }>>();

  constructor(client: Pick<RegcacheClient, 'onEvent'> | null) {
    client?.onEvent((event) => this.#heard(event));
  }

  /** The view now shows `shown` (null: a digest, or nothing to follow); `reload` loads it again. */
  follow(view: HTMLElement, shown: ShownTag | null, reload: () => void): void {
    this.#watched = shown ? { shown, view, reload } : null;
    const move = shown && this.#moves.get(key(shown.upstream, shown.repository, shown.tag));
    if (move && move.from === shown.digest) this.#heard(move);
  }

  #heard(event: RegcacheEvent): void {
    const watched = this.#watched;
    if (event.type === 'tag-moved') {
      if (this.#moves.size >= 100) this.#moves.clear();
      this.#moves.set(key(event.upstream, event.repository, event.tag), event);
    }
    if (!watched || (event.type !== 'tag-moved' && event.type !== 'tag-dropped')) return;
    const { shown, view, reload } = watched;
    if (event.upstream !== shown.upstream || event.repository !== shown.repository || event.tag !== shown.tag) return;
    // Another tab's check may find the digest this view already shows.
    if (event.type === 'tag-moved' && event.to === shown.digest) return;
    const moved = event.type === 'tag-moved';
    const notice = h(
      'div',
      { class: 'tag-moved', role: 'status', 'data-tag-event': event.type, 'data-to': moved ? event.to : null },
      h(
        'p',
        {},
        moved
          ? `The registry has moved ${shown.tag} to ${event.to}: this view shows the manifest it pointed to before.`
          : `The registry no longer serves ${shown.tag} for these media types: this view shows what was stored.`,
      ),
      h(
        'button',
        { type: 'button', class: 'refetch', 'data-action': 'show-moved', onclick: reload },
        moved ? 'Show the new manifest' : 'Fetch again',
      ),
    );
    view.querySelector('.tag-moved')?.remove();
    const header = view.querySelector('.view-header');
    if (header) header.after(notice);
    else view.prepend(notice);
  }
}
