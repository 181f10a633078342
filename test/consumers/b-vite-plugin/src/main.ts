import { createClient, type RegcacheClient, registerWorker } from 'regcache/client';

declare global {
  interface Window {
    consumer: { registration: Promise<ServiceWorkerRegistration>; cache: RegcacheClient };
  }
}

window.consumer = {
  // The worker sits in sw/, so its scope is widened to the whole app: the server has to
  // allow that with a Service-Worker-Allowed header.
  registration: registerWorker('./sw/regcache.js', { scope: './' }),
  cache: createClient(),
};
document.querySelector('#status')!.textContent = 'app loaded';
