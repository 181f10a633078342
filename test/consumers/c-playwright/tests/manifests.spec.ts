// The app shows a manifest; the test reads it as the app would, with fetch from the page.
import { expect, REFS, test } from './fixture.js';

const ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';

for (const ref of REFS) {
  test(`shows ${ref}`, async ({ page }) => {
    await page.goto('/index.html');
    const [repo, reference] = ref.includes('@') ? ref.split('@') : ref.split(':');
    const answer = await page.evaluate(
      async ({ url, accept }) => {
        const response = await fetch(url, { headers: { Accept: accept } });
        return { status: response.status, cacheStatus: response.headers.get('Cache-Status'), body: await response.text() };
      },
      { url: `${process.env.REGISTRY}/v2/${repo}/manifests/${reference}`, accept: ACCEPT },
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).schemaVersion).toBe(2);
  });
}
