// The registry browser (issue 17, item 1) against the embedded registry: repositories, tags
// with their platforms, sizes and dates, filter and sort, "did you mean"; and against
// hostile listings from a registry that pages, lies and points elsewhere.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { expect, type InspectorServer, openInspector, startInspectorServer, test } from './fixtures.js';

test('browse: repositories, then tags with platforms, size and created; filter, sort, open a tag', async ({ page, inspector }) => {
  await openInspector(page, inspector.url);
  await page.getByRole('link', { name: 'Browse the repositories on the embedded sample registry' }).click();
  const view = page.locator('#view');
  await expect(view.locator('[data-view="catalog"] h2')).toHaveText(/^Repositories on /);
  await expect(page).toHaveURL(/\?browse=$/);
  await expect(view.locator('.repositories li')).toHaveText(['library/hello']);

  await view.getByRole('link', { name: 'library/hello' }).click();
  await expect(page).toHaveURL(/\?browse=hello$/);
  const tags = view.locator('[data-view="tags"]');
  await expect(tags.locator('h2')).toHaveText('Tags of hello');
  const rows = tags.locator('table.tags tbody tr');
  await expect(rows.locator('th a')).toHaveText(['docker', 'latest', 'oci']);
  // Each row's details load when it is seen.
  await expect(tags.locator('tr[data-loaded="true"]')).toHaveCount(3);
  await expect(tags.locator('tr[data-tag="latest"] [data-cell="platforms"]')).toHaveText('linux/amd64, linux/arm64/v8');
  await expect(tags.locator('tr[data-tag="latest"] [data-cell="size"]')).toHaveText('27 KiB');
  await expect(tags.locator('tr[data-tag="latest"] [data-cell="created"]')).toHaveText('2024-06-01 12:05:00 UTC');
  await expect(tags.locator('tr[data-tag="oci"] [data-cell="platforms"]')).toHaveText('linux/amd64');
  await expect(tags.locator('tr[data-tag="oci"] [data-cell="created"]')).toHaveText('2024-05-20 08:35:00 UTC');
  await expect(tags.locator('tr[data-tag="docker"] [data-cell="created"]')).toHaveText('2024-05-10 16:50:00 UTC');

  // Sort, filter, and a filter that matches nothing.
  await tags.getByLabel('Sort').selectOption('desc');
  await expect(rows.locator('th a')).toHaveText(['oci', 'latest', 'docker']);
  await tags.getByLabel('Filter tags').fill('OC');
  await expect(rows.locator('th a')).toHaveText(['oci', 'docker']);
  await expect(tags.locator('.filter-count')).toHaveText('2 of 3 tags');
  await tags.getByLabel('Filter tags').fill('zzz');
  await expect(rows).toHaveCount(0);
  await tags.getByLabel('Filter tags').fill('');

  // A tag opens its view, which links back to all tags; back and forward work.
  await tags.getByRole('link', { name: 'oci', exact: true }).click();
  await expect(view.locator('[data-view="manifest"] h2')).toHaveText('hello:oci');
  await view.getByRole('link', { name: 'All tags of hello' }).click();
  await expect(tags.locator('h2')).toHaveText('Tags of hello');
  await page.goBack();
  await expect(view.locator('[data-view="manifest"] h2')).toHaveText('hello:oci');
  await page.goBack();
  await page.goBack();
  await expect(view.locator('[data-view="catalog"]')).toBeVisible();
  // The details were loaded once: the manifests of a tag asked for again come from regcache.
  expect(inspector.log.filter((l) => l === 'GET /v2/library/hello/manifests/oci')).toHaveLength(1);
});

test('a missing tag or repository gets suggestions from the registry’s lists', async ({ page, inspector }) => {
  await openInspector(page, inspector.url, '?ref=hello:dockr');
  const view = page.locator('#view');
  await expect(view.locator('[data-problem="not-found"]')).toBeVisible();
  await expect(view.locator('.did-you-mean')).toHaveText('Did you mean docker?');
  await view.locator('.did-you-mean').getByRole('link', { name: 'docker' }).click();
  await expect(view.locator('[data-view="manifest"] h2')).toHaveText('hello:docker');

  await openInspector(page, inspector.url, '?ref=helo');
  await expect(view.locator('.did-you-mean')).toHaveText('Did you mean hello:latest?');
  await view.locator('.did-you-mean').getByRole('link').click();
  await expect(view.locator('[data-view="index"] h2')).toHaveText('hello:latest');
});

// A registry in front of the embedded one whose listings are hostile or paged otherwise.
async function hostile(route: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean): Promise<InspectorServer> {
  return startInspectorServer({ route: (req, res) => route(req, res, new URL(req.url ?? '/', 'http://x')) });
}

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
  return true;
};

test('hostile listings: bad names left out and counted, a Link elsewhere not followed, text never markup', async ({ page }) => {
  const server = await hostile((_req, res, url) => {
    if (url.pathname === '/v2/_catalog') {
      return json(
        res,
        {
          repositories: [
            'library/hello',
            'library/hello',
            '../../etc',
            '<img src=x onerror=alert(1)>',
            'UPPER/case',
            `${'a'.repeat(300)}`,
            42,
            null,
            { name: 'x' },
            'good/one',
          ],
        },
        { Link: '<http://evil.example/v2/_catalog?n=100&last=x>; rel="next"' },
      );
    }
    if (url.pathname === '/v2/library/hello/tags/list') {
      // Paged as distribution 3 pages, across three pages; the last page points back to the first.
      const last = url.searchParams.get('last');
      if (!last)
        return json(
          res,
          { name: 'library/hello', tags: ['latest'] },
          { Link: '</v2/library/hello/tags/list?last=latest&n=1>; rel="next"' },
        );
      if (last === 'latest')
        return json(
          res,
          { name: 'library/hello', tags: ['oci', '-bad', 'x'.repeat(129)] },
          { Link: '</v2/library/hello/tags/list?n=1&last=oci>; rel="next"' },
        );
      if (last === 'oci')
        return json(res, { name: 'library/hello', tags: ['docker'] }, { Link: '</v2/library/hello/tags/list?n=100>; rel="next"' });
    }
    return false;
  });
  try {
    await openInspector(page, server.url, '?browse=');
    const view = page.locator('#view');
    await expect(view.locator('.repositories li')).toHaveText(['good/one', 'library/hello']);
    await expect(view.locator('[data-rejected]')).toHaveAttribute('data-rejected', '8');
    await expect(view.locator('[data-stopped]')).toContainText('a next page on another origin (http://evil.example)');
    expect(await page.locator('img').count()).toBe(0);
    expect(server.log.some((l) => l.includes('evil'))).toBe(false);

    await openInspector(page, server.url, '?browse=hello');
    await expect(view.locator('table.tags tbody th a')).toHaveText(['docker', 'latest', 'oci']);
    await expect(view.locator('[data-rejected]')).toHaveAttribute('data-rejected', '2');
    // The loop back to the first page was not followed.
    await expect(view.locator('[data-stopped]')).toContainText('pointed back to a page already read');
  } finally {
    await server.stop();
  }
});

test('a huge catalog is bounded: 5000 names kept, 500 rows shown', async ({ page }) => {
  const names = Array.from({ length: 20_000 }, (_, i) => `repo/n${String(i).padStart(5, '0')}`);
  const server = await hostile((_req, res, url) => (url.pathname === '/v2/_catalog' ? json(res, { repositories: names }) : false));
  try {
    await openInspector(page, server.url, '?browse=');
    const view = page.locator('#view');
    await expect(view.locator('.filter-count')).toHaveText('5000 repositories (the first 500 shown: filter to narrow)');
    await expect(view.locator('.repositories li')).toHaveCount(500);
    await expect(view.locator('[data-stopped]')).toContainText('more than 5000 names');
  } finally {
    await server.stop();
  }
});

test('a registry that refuses its catalog is told as a sentence, and typing still works', async ({ page }) => {
  const server = await hostile((_req, res, url) => {
    if (url.pathname !== '/v2/_catalog') return false;
    res
      .writeHead(401, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    return true;
  });
  try {
    await openInspector(page, server.url, '?browse=');
    const view = page.locator('#view');
    await expect(view.locator('[data-no-catalog="unauthorized"] .no-catalog')).toContainText(
      'does not list its repositories here: it does not let anonymous visitors list them',
    );
    await page.getByLabel('Image reference').fill('hello:oci');
    await page.getByLabel('Image reference').press('Enter');
    await expect(view.locator('[data-view="manifest"] h2')).toHaveText('hello:oci');
  } finally {
    await server.stop();
  }
});
