import { startHttp } from './main';
import { startWorkers } from './worker';

/** Local use and the demo: the HTTP service and the workers in one process. */
void (async () => {
  await startWorkers();
  await startHttp();
})();
