import { createClient, type RegcacheClient } from 'regcache/client';

declare global {
  interface Window {
    consumer: { registration: Promise<ServiceWorkerRegistration>; cache: RegcacheClient };
  }
}

window.consumer = {
  registration: navigator.serviceWorker.register('./sw.js'),
  cache: createClient(),
};
document.querySelector('#status')!.textContent = 'app loaded';
